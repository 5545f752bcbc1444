"""A tool invoker for reruns: results come from the recorded log, no real tool is called.

An invocation is matched by turn, tool and canonical arguments (what the idempotency key is made
of), so a rerun that asks for the same thing gets exactly what the call got, whichever tool
runner recorded it; anything else is reported as a call the log does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backplane import Event, ToolAttempt
from tools.audit import Auditor, Outcome
from tools.errors import InvalidArguments, RecordedResultMissing, UnknownTool
from tools.failures import failure_for
from tools.idempotency import canonical_arguments, make_key
from tools.registry import REGISTRY, ToolRegistry
from tools.result import FailureKind, ToolFailure, ToolResult
from tools.runtime import ToolScope

#: Outcomes that end an invocation (the last attempt of a key says how it ended).
_FINAL = frozenset({"ok", "cached", "failed", "timeout", "breaker_open", "replayed"})


@dataclass(frozen=True, kw_only=True, slots=True)
class ReplayedCall:
    """A tool call made during the rerun, and whether the log held its result."""

    turn: int
    tool: str
    arguments: dict[str, Any]
    found: bool


class RecordedTools:
    """Serves tool results from a recorded session's `ToolAttempt` events."""

    def __init__(
        self,
        recorded_session_id: str,
        events: list[Event],
        *,
        registry: ToolRegistry | None = None,
    ) -> None:
        if registry is None:
            import tools.builtin  # noqa: F401
        self.registry = registry or REGISTRY
        self.recorded_session_id = recorded_session_id
        self._final: dict[tuple[int, str, str], ToolAttempt] = {}
        for e in events:
            if isinstance(e, ToolAttempt) and e.outcome in _FINAL:
                self._final[(e.turn, e.tool, canonical_arguments(e.arguments))] = e
        self.calls: list[ReplayedCall] = []

    def _normalise(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.registry.get(name).validate(arguments)
        except (UnknownTool, InvalidArguments):
            return arguments  # recorded the same way by the runtime

    async def invoke(self, scope: ToolScope, name: str, arguments: dict[str, Any]) -> ToolResult:
        args = self._normalise(name, arguments)
        key = make_key(self.recorded_session_id, scope.turn, name, args)
        recorded = self._final.get((scope.turn, name, canonical_arguments(args)))
        self.calls.append(
            ReplayedCall(turn=scope.turn, tool=name, arguments=args, found=recorded is not None)
        )
        audit = Auditor(scope.session, tool=name, arguments=args, key=key)
        if recorded is None:
            failure = failure_for(RecordedResultMissing(name, key))
            await audit.record(
                Outcome.FAILED, result=failure.to_dict(), error_class="RecordedResultMissing"
            )
            return ToolResult(tool=name, idempotency_key=key, failure=failure, attempts=1)
        if recorded.outcome in ("ok", "cached", "replayed"):
            await audit.record(Outcome.REPLAYED, result=recorded.result)
            return ToolResult(
                tool=name, idempotency_key=key, value=recorded.result, attempts=1, cached=True
            )
        failure = _failure_of(recorded)
        await audit.record(
            Outcome.REPLAYED, result=failure.to_dict(), error_class=recorded.error_class
        )
        return ToolResult(tool=name, idempotency_key=key, failure=failure, attempts=1)


def _failure_of(event: ToolAttempt) -> ToolFailure:
    if isinstance(event.result, dict) and "failure" in event.result:
        return ToolFailure.from_dict(event.result)
    # Recorded without a failure record: rebuild what we can from the error class.
    kind = _KINDS.get(event.error_class or "", FailureKind.ERROR)
    return ToolFailure(kind=kind, error_class=event.error_class or "")


_KINDS = {
    "ToolTimeout": FailureKind.TIMEOUT,
    "ToolUnavailable": FailureKind.UNAVAILABLE,
    "RetryAfter": FailureKind.RATE_LIMITED,
    "BreakerOpen": FailureKind.BREAKER_OPEN,
    "ToolRejected": FailureKind.REJECTED,
    "InvalidArguments": FailureKind.INVALID_ARGUMENTS,
    "UnknownTool": FailureKind.UNKNOWN_TOOL,
}
