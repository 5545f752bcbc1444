"""The recognizer surface every STT adapter offers.

It is the union of what the call loop needs (`voice.speech.Recognizer`: `open()` a per-call
stream whose `feed(pcm)` returns partial and final `Transcript`s, finals marking end of turn)
and what barge-in needs (`voice.bargein.SegmentRecognizer`: one-shot `transcribe(pcm) -> str`
of a short candidate segment). Audio is always 8 kHz mono int16 numpy.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from voice.speech import RecognizerStream, Transcript


class SpeechRecognizer(Protocol):
    """A process-wide recognizer: models and connections are shared across calls."""

    def open(self) -> RecognizerStream:
        """A new stream for one call (its own end-of-turn state)."""
        ...

    async def transcribe(self, pcm: np.ndarray) -> str:
        """Text of a short segment (e.g. the first 0.5 s of a barge-in candidate)."""
        ...

    async def recognize(self, pcm: np.ndarray) -> Transcript:
        """A final `Transcript` of a whole utterance."""
        ...


__all__ = ["SpeechRecognizer"]
