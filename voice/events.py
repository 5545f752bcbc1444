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


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class CallerAside(Event):
    """A final transcript not answered as a turn: said under the agent's voice and let pass
    by barge-in (a backchannel, a cough the recogniser wrote as words). Kept for replay."""

    KIND: ClassVar[str] = "caller_aside"
    text: str
    speech_start_ms: int | None = None  # stream time, as the recogniser placed it
    speech_end_ms: int | None = None


__all__ = ["CallStatus", "CallerAside", "StreamEnded", "StreamStarted"]
