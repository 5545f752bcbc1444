"""The audit trail: every attempt becomes a `ToolAttempt` event on the session's stream.

The event keeps arguments and result (replay serves results from it; later PHI work encrypts
sensitive fields). Log lines name the tool, attempt and outcome, never argument or result values.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from backplane import ToolAttempt

if TYPE_CHECKING:
    from backplane import OwnedSession

log = logging.getLogger("tools.audit")


class Outcome(StrEnum):
    """The outcome of one attempt, as recorded."""

    OK = "ok"
    #: This attempt failed and another one follows.
    RETRY = "retry"
    #: Final: the last attempt timed out.
    TIMEOUT = "timeout"
    #: Final: any other failure (rejection, unavailable, bad arguments, a bug).
    FAILED = "failed"
    #: Final: the breaker was open, the tool was not called.
    BREAKER_OPEN = "breaker_open"
    #: The result came from the idempotency cache; the tool was not called.
    CACHED = "cached"
    #: Replay: the result came from the recorded log; the tool was not called.
    REPLAYED = "replayed"


class Auditor:
    """Writes one invocation's attempts to the session's event stream and a value-free line to
    the log."""

    def __init__(
        self, session: OwnedSession, *, tool: str, arguments: dict[str, Any], key: str
    ) -> None:
        self.session = session
        self.tool = tool
        self.arguments = arguments
        self.key = key

    async def record(
        self,
        outcome: Outcome,
        *,
        result: Any = None,
        error_class: str | None = None,
        latency_ms: float = 0.0,
        attempt: int = 1,
        breaker_state: str = "closed",
    ) -> str:
        event = ToolAttempt(
            tool=self.tool,
            arguments=self.arguments,
            result=result,
            outcome=outcome.value,
            error_class=error_class,
            latency_ms=round(latency_ms, 3),
            attempt=attempt,
            idempotency_key=self.key,
            breaker_state=breaker_state,
        )
        event_id = await self.session.append(event)
        level = logging.INFO if outcome in _QUIET else logging.WARNING
        if log.isEnabledFor(level):
            # Only names, counts and classes: argument and result values stay out of logs.
            log.log(
                level,
                "tool=%s attempt=%d outcome=%s error=%s latency_ms=%.1f breaker=%s session=%s",
                self.tool,
                attempt,
                outcome.value,
                error_class or "-",
                latency_ms,
                breaker_state,
                self.session.session_id,
            )
        return event_id


_QUIET = (Outcome.OK, Outcome.CACHED, Outcome.REPLAYED)
