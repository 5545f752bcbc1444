"""The seam between the call loop and barge-in: every inbound frame and control of playout.

The call loop calls `InboundHook.on_frame` for every decoded caller frame, in order, before the
frame goes to speech recognition, passing a `PlayoutControl`: the hook can see whether the agent
is speaking and what the caller has heard, pause playout (a `clear` to Twilio), resume it from
the heard position, or confirm the interruption (the reply is cancelled, the history keeps only
the heard text, and the caller's speech becomes the next turn).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from voice.playout import PlayoutState

if TYPE_CHECKING:
    from backplane import OwnedSession
    from voice.speech import Transcript


@dataclass(frozen=True, kw_only=True, slots=True)
class InboundFrame:
    """One decoded 20 ms caller frame."""

    pcm: np.ndarray  # int16, 160 samples at 8 kHz
    timestamp_ms: int  # Twilio's media timestamp (ms since stream start)
    received_at: float  # monotonic time the frame arrived
    outbound: np.ndarray | None = None
    """The agent audio (int16) that was playing at the caller while this frame was captured,
    aligned by the playout estimate; None when the agent is silent. For echo cancellation."""
    echo_realign: int = 0
    """Samples by which the reference of the frames before this one ran ahead of what was
    playing (a returned mark corrected the estimate: `Playout.take_moved`)."""


class PlayoutControl(Protocol):
    """What a hook may see and do about the agent's audio."""

    @property
    def state(self) -> PlayoutState: ...

    @property
    def session(self) -> OwnedSession:
        """The owned backplane session, to record decisions (e.g. BargeInDecision)."""
        ...

    def heard_ms(self) -> int:
        """Milliseconds of the current reply the caller has heard."""
        ...

    def heard_text(self) -> str: ...

    async def pause(self) -> int:
        """Stop playout now (Twilio `clear`); returns the heard position in ms."""
        ...

    async def resume(self) -> None:
        """Continue a paused reply from the heard position."""
        ...

    async def interrupt(self) -> str:
        """Confirm the barge-in: cancel the reply, truncate history; returns the heard text."""
        ...


def speaking_agent(playout: PlayoutControl) -> str | None:
    """The name of the agent whose reply is playing, if the call knows it (optional: a
    `PlayoutControl` may expose a `speaking_agent` attribute; the call loop does when its
    `CallAgent` has an `agent` name)."""
    name = getattr(playout, "speaking_agent", None)
    return name if isinstance(name, str) else None


class InboundHook(Protocol):
    """Receives every inbound frame (barge-in, VAD, echo cancelling, DTMF)."""

    async def on_frame(self, frame: InboundFrame, playout: PlayoutControl) -> None: ...

    async def on_transcript(self, transcript: Transcript, playout: PlayoutControl) -> None:
        """Partial and final transcripts, for semantic checks (e.g. backchannels)."""
        ...

    async def on_dtmf(self, digit: str, playout: PlayoutControl) -> None: ...

    # Optional, looked up with getattr: `async def close(self) -> None`, awaited by the call
    # loop when the call ends and before the session is given up (the barge-in controller
    # writes its last decisions there); `def is_turn(self, transcript) -> bool`, asked before
    # a final transcript is answered (False: said under the agent's voice and let pass, e.g.
    # a backchannel the barge-in controller resumed); `def cleaned(self, frame) -> ndarray |
    # None`, asked after `on_frame`: the frame with the agent's echo removed, which the
    # recogniser then hears instead (None: the frame as it came).


class InboundHookFactory(Protocol):
    """Builds one hook per call."""

    def __call__(self, session_id: str) -> InboundHook: ...


__all__ = [
    "InboundFrame",
    "InboundHook",
    "InboundHookFactory",
    "PlayoutControl",
    "speaking_agent",
]
