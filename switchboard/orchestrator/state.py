"""What the orchestrator knows about one live call between backplane reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backplane import OwnedSession, SessionSnapshot
from switchboard.definitions import Team
from switchboard.slots import SlotContext


@dataclass(kw_only=True)
class CallState:
    """The SDK run context: the owned session plus a cache of its agent and slots.

    The cache is refreshed from the backplane at the start of every turn and updated by every
    write the orchestrator makes, so instructions and the offline model always see the slots
    the backplane holds.
    """

    team: Team
    session: OwnedSession
    agent: str
    slots: dict[str, Any] = field(default_factory=dict)
    turn: int = 0
    failures: int = 0
    """Rejected slot values and failed tools in a row (escalation rules count these)."""
    escalation_reasons: tuple[str, ...] = ()
    escalation_level: int = 0

    def refresh(self, snap: SessionSnapshot) -> None:
        self.agent = snap.agent
        self.slots = snap.slot_values()
        self.turn = snap.turn
        self.escalation_level = snap.escalation.level
        self.escalation_reasons = snap.escalation.reasons

    def slot_values(self) -> dict[str, Any]:
        return dict(self.slots)

    def slot_context(self) -> SlotContext:
        """Relative dates are read against the call clock, in the team's timezone."""
        now = datetime.fromtimestamp(self.session.clock.now(), tz=self.team.tz)
        return SlotContext(now=now, region=self.team.spec.phone_region)
