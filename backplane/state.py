"""Typed views of a session's state, read from Redis."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class SessionStatus(StrEnum):
    """Lifecycle of a session."""

    ACTIVE = "active"
    ON_HOLD = "on_hold"
    TRANSFERRING = "transferring"
    ESCALATED = "escalated"
    ENDED = "ended"


@dataclass(frozen=True, kw_only=True, slots=True)
class SlotValue:
    """A slot with where it came from."""

    name: str
    value: Any
    confidence: float
    set_by: str
    turn: int
    at: float
    version: int

    @classmethod
    def from_json(cls, name: str, raw: str) -> SlotValue:
        d = json.loads(raw)
        return cls(
            name=name,
            value=d["value"],
            confidence=float(d["confidence"]),
            set_by=d["set_by"],
            turn=int(d["turn"]),
            at=float(d["at"]),
            version=int(d["version"]),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class Sentiment:
    """Rolling score (exponential moving average) plus the per-turn scores it came from."""

    rolling: float = 0.0
    per_turn: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class Escalation:
    """0 = none; higher levels are more urgent. Reasons accumulate in order."""

    level: int = 0
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class SessionSnapshot:
    """One consistent read of a session (taken inside one Lua script)."""

    session_id: str
    agent: str
    status: SessionStatus
    version: int
    turn: int
    channel: str
    created_at: float
    updated_at: float
    slots: dict[str, SlotValue]
    sentiment: Sentiment
    escalation: Escalation
    metadata: dict[str, Any]
    fence: int

    def slot_values(self) -> dict[str, Any]:
        """Just the values, as templates and prompts use them."""
        return {name: slot.value for name, slot in self.slots.items()}
