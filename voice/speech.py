"""What the call loop needs from speech recognition and synthesis.

The offline and provider adapters live in `voice.stt` and `voice.tts`; the call loop only relies
on these small protocols, so any adapter (or a provider's websocket client) can be plugged in.
Audio crossing these interfaces is 8 kHz mono int16, the call's own format.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True, kw_only=True, slots=True)
class Transcript:
    """A partial or final transcript of the caller's current utterance."""

    text: str
    final: bool
    """True once end of turn was detected and the text will not change."""
    speech_end_ms: int | None = None
    """Stream time (ms of audio fed) of the last speech sample, when the recognizer knows it."""
    speech_start_ms: int | None = None
    """Stream time at which the utterance's speech began, when the recognizer knows it."""
    endpoint_at: float | None = None
    """Monotonic time at which end of turn was decided (before final decoding), if known."""


class RecognizerStream(Protocol):
    """One call's streaming recognizer: audio in, transcripts out."""

    async def feed(self, pcm: np.ndarray) -> list[Transcript]:
        """Add 8 kHz int16 audio; return any partial or final transcripts it produced."""
        ...

    async def close(self) -> None: ...


class Recognizer(Protocol):
    """Opens one recognizer stream per call; shares models across calls."""

    def open(self) -> RecognizerStream: ...


class Synthesizer(Protocol):
    """Streams speech for a piece of text: the first chunk before the rest is synthesised."""

    def synthesize(self, text: str) -> AsyncIterator[np.ndarray]:
        """Yield 8 kHz mono int16 chunks of `text` spoken."""
        ...


__all__ = ["Recognizer", "RecognizerStream", "Synthesizer", "Transcript"]
