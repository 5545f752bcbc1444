"""A streaming recognizer built from an end-of-turn detector and a one-shot decoder.

Offline models and HTTP providers decode whole utterances, so streaming is done here: every
frame is scored by the shared Silero session, the detector opens and closes utterances, the
utterance audio is decoded once at end of turn (the final) and, optionally, every
`partial_interval_ms` while the caller is still talking (partials, decoded in the background so
`feed` never waits on them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

import numpy as np

from voice.speech import Transcript
from voice.speech_config import EndpointSettings
from voice.stt.endpoint import EndOfTurnDetector, TurnEvent, VadEndpointer

log = logging.getLogger(__name__)

SAMPLE_RATE = 8000
WINDOW_MS = 32.0  # Silero's window at 8 kHz (256 samples)

VadScorer = Callable[[np.ndarray], Awaitable[list[float]]]
"""Scores int16 audio, returning one speech probability per completed 32 ms window."""


class UtteranceDecoder(Protocol):
    """Turns one utterance (8 kHz int16) into text."""

    async def decode(self, pcm: np.ndarray) -> str: ...


def silero_scorer() -> VadScorer:
    """A scorer bound to a fresh per-call Silero state in the process-wide batched session."""
    from voice.silero import SileroStream, shared_silero

    shared, state = shared_silero(), SileroStream()

    async def score(pcm: np.ndarray) -> list[float]:
        return await shared.score(state, pcm)

    return score


class SegmentingStream:
    """`RecognizerStream` for decoders that take whole utterances (Whisper, HTTP providers)."""

    def __init__(
        self,
        decoder: UtteranceDecoder,
        *,
        settings: EndpointSettings | None = None,
        partial_interval_ms: int = 0,
        vad: VadScorer | None = None,
        detector: EndOfTurnDetector | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or EndpointSettings()
        self._decoder = decoder
        self._partial_ms = partial_interval_ms
        self._vad = vad or silero_scorer()
        self._detector = detector or VadEndpointer(self.settings)
        self._clock = clock
        self._preroll = int(self.settings.preroll_ms * SAMPLE_RATE / 1000)
        self._pending = np.zeros(0, np.int16)  # fed but not yet covered by a scored window
        self._recent = np.zeros(0, np.int16)  # scored audio kept while idle (preroll)
        self._utterance: list[np.ndarray] | None = None
        self._fed_ms = 0.0  # audio scored so far (end of the last window)
        self._last_speech_ms = 0.0
        self._speech_start_ms = 0.0
        self._last_partial_ms = 0.0
        self._partial_task: asyncio.Task[str] | None = None
        self._partial_text = ""

    @property
    def in_utterance(self) -> bool:
        return self._utterance is not None

    async def feed(self, pcm: np.ndarray) -> list[Transcript]:
        """Add 8 kHz int16 audio; return finished partials, and the final if the turn ended."""
        out = self._collect_partial()
        self._pending = np.concatenate([self._pending, np.asarray(pcm, np.int16)])
        probs = await self._vad(np.asarray(pcm, np.int16))
        for prob in probs:
            window, self._pending = self._pending[:256], self._pending[256:]
            self._fed_ms += WINDOW_MS
            if prob >= self.settings.speech_threshold:
                self._last_speech_ms = self._fed_ms
            self._keep(window)
            event = self._detector.update(prob, WINDOW_MS)
            if event is TurnEvent.SPEECH_STARTED:
                # the detector opens an utterance once speech has lasted min_speech_ms
                self._speech_start_ms = max(0.0, self._fed_ms - self.settings.min_speech_ms)
                self._utterance = [self._recent]
                self._recent = np.zeros(0, np.int16)
                self._last_partial_ms = self._fed_ms
            elif event is TurnEvent.END_OF_TURN and self._utterance is not None:
                out.append(await self._finalise())
        self._maybe_start_partial()
        return out

    async def finalize(self) -> Transcript | None:
        """Force end of turn now (a hook decided the caller is done); None if nobody spoke."""
        if self._utterance is None:
            return None
        self._detector.reset()
        return await self._finalise()

    async def close(self) -> None:
        if self._partial_task is not None:
            self._partial_task.cancel()
            with contextlib.suppress(BaseException):
                await self._partial_task
        self._utterance = None

    # -- internals -------------------------------------------------------------------------
    def _keep(self, window: np.ndarray) -> None:
        if self._utterance is not None:
            self._utterance.append(window)
        else:
            self._recent = np.concatenate([self._recent, window])[-self._preroll :]

    async def _finalise(self) -> Transcript:
        endpoint_at = self._clock()
        audio = np.concatenate(self._utterance or [np.zeros(0, np.int16)])
        self._utterance = None
        if self._partial_task is not None:
            self._partial_task.cancel()  # the final supersedes it
            self._partial_task = None
        self._partial_text = ""
        try:
            text = await self._decoder.decode(audio)
        except Exception:
            log.exception("stt: final decode failed; turn dropped")
            text = ""
        return Transcript(
            text=text.strip(),
            final=True,
            speech_end_ms=int(self._last_speech_ms),
            speech_start_ms=int(self._speech_start_ms),
            endpoint_at=endpoint_at,
        )

    def _maybe_start_partial(self) -> None:
        if (
            self._partial_ms <= 0
            or self._utterance is None
            or self._partial_task is not None
            or self._fed_ms - self._last_partial_ms < self._partial_ms
        ):
            return
        self._last_partial_ms = self._fed_ms
        audio = np.concatenate(self._utterance)
        self._partial_task = asyncio.get_running_loop().create_task(self._decoder.decode(audio))

    def _collect_partial(self) -> list[Transcript]:
        task = self._partial_task
        if task is None or not task.done():
            return []
        self._partial_task = None
        if task.cancelled() or task.exception() is not None:
            return []
        text = task.result().strip()
        if not text or text == self._partial_text:
            return []
        self._partial_text = text
        return [Transcript(text=text, final=False)]


__all__ = ["SegmentingStream", "UtteranceDecoder", "VadScorer", "silero_scorer"]
