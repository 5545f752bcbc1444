"""The event schema of a session's stream, defined once.

Each kind is a frozen dataclass. On the wire (a Redis Stream entry) an event is the fields
`kind`, `v` (schema version of that kind), `turn` (stamped by the backplane's scripts), `at` (the
call's clock, epoch seconds) and `data` (JSON of the kind's own fields). Later work adds kinds with
`@register_event`; the kinds here do not change (a change of meaning would bump `v`).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from backplane.errors import InvalidInput
from backplane.keys import MAX_EVENT_BYTES

JSONValue = Any  # a value json.dumps accepts; kept as-is so replay sees what happened


@dataclass(frozen=True, kw_only=True, slots=True)
class Event:
    """Fields every event carries. `turn`, `at` and `id` are filled in by the backplane."""

    KIND: ClassVar[str] = "event"
    VERSION: ClassVar[int] = 1

    turn: int = 0
    at: float = 0.0
    v: int = 1
    id: str | None = None

    @property
    def kind(self) -> str:
        return self.KIND

    def payload(self) -> dict[str, JSONValue]:
        """The kind's own fields (what goes into `data`)."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in _ENVELOPE
        }

    def to_dict(self) -> dict[str, JSONValue]:
        """A JSON-ready view: envelope plus payload (exports, replay, the dashboard)."""
        return {
            "kind": self.KIND,
            "v": self.v,
            "turn": self.turn,
            "at": self.at,
            "id": self.id,
            **self.payload(),
        }


_ENVELOPE = frozenset({"turn", "at", "v", "id"})
_REGISTRY: dict[str, type[Event]] = {}
E = TypeVar("E", bound=type[Event])


def register_event(cls: E) -> E:
    """Class decorator: make an event kind known to the decoder."""
    if cls.KIND in _REGISTRY and _REGISTRY[cls.KIND] is not cls:
        raise ValueError(f"event kind {cls.KIND!r} is already registered")
    _REGISTRY[cls.KIND] = cls
    return cls


def event_kinds() -> dict[str, type[Event]]:
    return dict(_REGISTRY)


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class SessionStarted(Event):
    KIND: ClassVar[str] = "session_started"
    agent: str
    channel: str = "chat"
    metadata: dict[str, JSONValue] = field(default_factory=dict)


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class SessionEnded(Event):
    KIND: ClassVar[str] = "session_ended"
    reason: str = ""


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class CallerTurn(Event):
    KIND: ClassVar[str] = "caller_turn"
    text: str
    agent: str


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class AgentTurn(Event):
    KIND: ClassVar[str] = "agent_turn"
    text: str
    agent: str
    interrupted: bool = False


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class ModelOutput(Event):
    """What a model returned for one call of it: the raw items, so replay can serve them."""

    KIND: ClassVar[str] = "model_output"
    agent: str
    model: str
    items: list[JSONValue] = field(default_factory=list)
    usage: dict[str, JSONValue] = field(default_factory=dict)


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class SlotSet(Event):
    KIND: ClassVar[str] = "slot_set"
    name: str
    value: JSONValue
    confidence: float = 1.0
    set_by: str = ""
    version: int = 0


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class SentimentScored(Event):
    KIND: ClassVar[str] = "sentiment"
    score: float
    rolling: float = 0.0
    source: str = ""


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class EscalationRaised(Event):
    KIND: ClassVar[str] = "escalation"
    level: int
    reason: str


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class Handoff(Event):
    """The current agent changed; `slots` is the slot snapshot the next agent starts from."""

    KIND: ClassVar[str] = "handoff"
    from_agent: str
    to_agent: str
    reason: str = ""
    slots: dict[str, JSONValue] = field(default_factory=dict)


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class ToolAttempt(Event):
    KIND: ClassVar[str] = "tool_attempt"
    tool: str
    arguments: dict[str, JSONValue] = field(default_factory=dict)
    result: JSONValue = None
    outcome: str = ""  # ok | retry | failed | timeout | breaker_open | cached
    error_class: str | None = None
    latency_ms: float = 0.0
    attempt: int = 1
    idempotency_key: str = ""
    breaker_state: str = "closed"


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class BargeInDecision(Event):
    KIND: ClassVar[str] = "barge_in"
    decision: str  # pause | resume | confirm
    t_ms: int = 0
    heard_ms: int = 0
    reason: str = ""
    features: dict[str, JSONValue] = field(default_factory=dict)


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class StatusChanged(Event):
    KIND: ClassVar[str] = "status"
    status: str
    previous: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class UnknownEvent(Event):
    """An entry of a kind this code does not know (written by newer code); kept, not dropped."""

    KIND: ClassVar[str] = "unknown"
    raw_kind: str = ""
    data: dict[str, JSONValue] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.raw_kind


def encode_payload(event: Event) -> str:
    """The `data` field: compact JSON of the kind's fields, within the size limit."""
    try:
        text = json.dumps(
            event.payload(), ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"event.{event.KIND}", f"payload is not valid UTF-8: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"event.{event.KIND}", f"payload is not JSON-serialisable: {exc}"
        ) from None
    if size > MAX_EVENT_BYTES:
        raise InvalidInput(
            f"event.{event.KIND}", f"payload is {size} bytes, the limit is {MAX_EVENT_BYTES}"
        )
    return text


def decode_event(entry_id: str, fields: dict[str, str]) -> Event:
    """Turn one stream entry back into its typed event."""
    kind = fields.get("kind", "")
    data = json.loads(fields.get("data") or "{}")
    envelope = {
        "turn": int(fields.get("turn", 0)),
        "at": float(fields.get("at", 0.0)),
        "v": int(fields.get("v", 1)),
        "id": entry_id,
    }
    cls = _REGISTRY.get(kind)
    if cls is None:
        return UnknownEvent(raw_kind=kind, data=data, **envelope)
    known = {f.name for f in dataclasses.fields(cls)} - _ENVELOPE
    try:
        return cls(**{k: v for k, v in data.items() if k in known}, **envelope)
    except TypeError:
        # A required field is missing: keep the entry rather than lose it.
        return UnknownEvent(raw_kind=kind, data=data, **envelope)
