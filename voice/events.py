"""Event kinds the voice layer adds to a session's stream."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from backplane import Event, register_event


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class StreamStarted(Event):
    """A Media Stream began serving this session (the first one, or a resumed one)."""

    KIND: ClassVar[str] = "stream_started"
    stream_sid: str
    worker: str
    resumed: bool = False


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class StreamEnded(Event):
    """A Media Stream closed: `stop` from Twilio, a dropped socket, or an error."""

    KIND: ClassVar[str] = "stream_ended"
    stream_sid: str
    reason: str


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class CallStatus(Event):
    """A Twilio status callback (initiated, ringing, in-progress, completed, ...)."""

    KIND: ClassVar[str] = "call_status"
    status: str
    duration_s: int | None = None


__all__ = ["CallStatus", "StreamEnded", "StreamStarted"]
