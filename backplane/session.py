"""Writes to a session, by the worker that holds its lease. Every write is one fenced script."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from backplane.clock import Clock
from backplane.errors import InvalidInput
from backplane.events import CallerTurn, Event, Handoff, SlotSet, encode_payload
from backplane.history import History
from backplane.keys import ACTIVE_TTL_MS, ENDED_TTL_MS, SENTIMENT_ALPHA
from backplane.state import SessionSnapshot, SessionStatus, SlotValue
from backplane.validation import (
    check_agent,
    check_number,
    check_reason,
    check_slot_name,
    check_text,
    slot_value_json,
)

if TYPE_CHECKING:
    from backplane.lease import Lease
    from backplane.store import Backplane

#: Events written by their own scripts (with the state change); `append` refuses them.
_STATEFUL_KINDS = frozenset(
    {
        "session_started",
        "session_ended",
        "caller_turn",
        "slot_set",
        "sentiment",
        "escalation",
        "handoff",
        "status",
    }
)


class OwnedSession:
    """A session this worker owns. Writes raise StaleOwner once another worker took over."""

    def __init__(self, backplane: Backplane, lease: Lease, *, clock: Clock) -> None:
        self._bp = backplane
        self._lease = lease
        self.keys = lease.keys
        self.clock = clock
        self.history = History(self)

    @property
    def session_id(self) -> str:
        return self.keys.session_id

    @property
    def token(self) -> int:
        return self._lease.token

    @property
    def owner(self) -> str:
        return self._lease.owner

    @property
    def backplane(self) -> Backplane:
        return self._bp

    @property
    def lost(self) -> bool:
        """True once the keep-alive saw another worker take the session."""
        return self._lease.lost

    async def _write(self, script: str, *args: Any, op_id: str | None = None) -> dict[str, Any]:
        from backplane.store import clock_arg, raise_for

        full = [self.token, op_id or uuid4().hex, clock_arg(self.clock), ACTIVE_TTL_MS, *args]
        reply = await self._bp._retry(
            script, lambda: self._bp.scripts.run(script, self.keys.all(), full)
        )
        return raise_for(reply, self.session_id, self.token)

    async def snapshot(self) -> SessionSnapshot:
        return await self._bp.snapshot(self.session_id)

    async def begin_caller_turn(self, text: str, *, agent: str) -> int:
        """Start the next caller turn: one atomic increment plus its CallerTurn event."""
        event = CallerTurn(text=check_text("text", text), agent=check_agent(agent))
        reply = await self._write("begin_turn", encode_payload(event))
        return int(reply["turn"])

    async def set_slot(
        self,
        name: str,
        value: Any,
        *,
        agent: str,
        confidence: float = 1.0,
        if_version: int | None = None,
    ) -> SlotValue:
        """Set a slot (last writer wins; `if_version` makes it compare-and-set)."""
        check_slot_name(name)
        check_agent(agent)
        conf = check_number("confidence", confidence, 0.0, 1.0)
        value_json = slot_value_json(name, value)
        reply = await self._write(
            "set_slot",
            name,
            value_json,
            repr(conf),
            agent,
            "" if if_version is None else str(if_version),
        )
        return SlotValue.from_json(name, json.dumps(reply["slot"]))

    async def handoff(
        self, to_agent: str, *, reason: str = "", from_agent: str | None = None
    ) -> Handoff:
        """Change the current agent, snapshot the slots and record it, atomically.

        `from_agent`, when given, must be the current agent (else Conflict, nothing written).
        """
        check_agent(to_agent, "to_agent")
        if from_agent is not None:
            check_agent(from_agent, "from_agent")
        reply = await self._write("handoff", to_agent, check_reason(reason), from_agent or "")
        return Handoff(
            from_agent=reply["from_agent"],
            to_agent=to_agent,
            reason=reason,
            slots=reply["slots"],
            id=reply["event_id"],
            turn=int(reply["turn"]),
            at=float(reply["at"]),
        )

    async def record_sentiment(self, score: float, *, source: str = "") -> float:
        """Record this turn's sentiment in [-1, 1]; returns the new rolling score."""
        score = check_number("sentiment", score, -1.0, 1.0)
        reply = await self._write(
            "sentiment", f"{score:.6f}", repr(SENTIMENT_ALPHA), check_text("source", source, 64)
        )
        return float(reply["rolling"])

    async def escalate(self, level: int, reason: str) -> int:
        """Raise the escalation level (it never goes down); returns the effective level."""
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 10:
            raise InvalidInput("escalation level", f"{level!r} is not an integer in [0, 10]")
        reply = await self._write("escalate", level, check_reason(reason))
        return int(reply["level"])

    async def set_status(self, status: SessionStatus | str) -> None:
        try:
            status = SessionStatus(status)
        except ValueError:
            allowed = ", ".join(s.value for s in SessionStatus)
            raise InvalidInput("status", f"{status!r} is not one of {allowed}") from None
        await self._write("status", status.value, ENDED_TTL_MS, "")

    async def end(self, reason: str = "") -> None:
        """End the session: status ended + SessionEnded; keys expire after the ended TTL."""
        await self._write("status", SessionStatus.ENDED.value, ENDED_TTL_MS, check_reason(reason))
        await self._lease.release()

    async def append(self, event: Event, *, op_id: str | None = None) -> str:
        """Append an event that changes no state (agent turn, model output, tool attempt...).

        `op_id` names the write: sending it again with the same id (after the backplane gave
        up waiting for a reply) returns the first reply instead of appending twice."""
        if event.KIND in _STATEFUL_KINDS or isinstance(event, SlotSet):
            raise InvalidInput("event", f"{event.KIND!r} events are written by their own method")
        reply = await self._write(
            "append", event.KIND, event.VERSION, encode_payload(event), op_id=op_id
        )
        return str(reply["event_id"])

    async def renew(self) -> None:
        await self._lease.renew()

    async def release(self) -> None:
        await self._lease.release()
