"""Recognition on a barge-in candidate: the words heard so far, for the policy's scorer.

While the agent is paused on a candidate, its audio (from a short pre-roll before the onset)
is recognised once it has some voice and again as it grows. A recognition runs off the frame
path; its words reach the policy on a later frame, when they are ready. In replay (offline
runs that feed frames faster than real time) each recognition is awaited and its words land on
the frame where a live decode would have finished (request time + measured decode time), so
results do not depend on how fast the frames came. Replay can also take a fixed decode time
instead of the measured one (`decode_ms`), so that runs on machines of different speeds, or
twice on one busy machine, make the same decisions.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

import numpy as np

from voice.bargein_settings import BargeInSettings
from voice.bargein_words import HeardWords
from voice.codec import FRAME_MS

log = logging.getLogger(__name__)


class SegmentRecognizer(Protocol):
    """One-shot recognition of a short candidate segment (8 kHz int16).

    `voice.bargein_words.SegmentWords` also offers `hear(pcm) -> HeardWords` (text with the
    recogniser's confidence), which the controller prefers when present."""

    async def transcribe(self, pcm: np.ndarray) -> str: ...


class CandidateListener:
    """The running recognition of one call's current candidate, and the words it gave."""

    def __init__(
        self,
        recognizer: SegmentRecognizer | None,
        *,
        replay: bool = False,
        decode_ms: float | None = None,
    ) -> None:
        """`decode_ms` (replay only): words land this long after they were asked for, rather
        than after the decode time measured on this run."""
        if decode_ms is not None and (not replay or decode_ms < 0):
            raise ValueError("a fixed decode_ms is for replay, and not negative")
        self.recognizer = recognizer
        self._replay = replay
        self._fixed_ms = decode_ms
        self._pcm: list[np.ndarray] = []
        self._task: asyncio.Task[HeardWords | None] | None = None
        self._asked_ms = 0  # call time the running recognition was asked for
        self._voiced_ms = 0  # voiced audio it covers
        self._held: tuple[int, HeardWords] | None = None  # words, and when they land
        self.recognitions = 0  # on the current candidate
        self.recognitions_total = 0
        self.decode_ms: list[float] = []  # decode time of each recognition (for benchmarks)

    def start(self, preroll: list[np.ndarray]) -> None:
        """A new candidate: its audio begins with the frames kept before its onset."""
        self.cancel()
        self._pcm = list(preroll)

    def add(self, pcm: np.ndarray, *, voiced_ms: int, t_ms: int, settings: BargeInSettings) -> None:
        """One more frame of the candidate; recognise it once it has `words_after_ms` of
        voice, then again after every `words_every_ms` more (one recognition at a time)."""
        self._pcm.append(pcm)
        if self.recognizer is None or self._task is not None or self._held is not None:
            return
        if self.recognitions == 0:
            due = settings.words_after_ms
        else:
            due = self._voiced_ms + settings.words_every_ms
        if voiced_ms < due:
            return
        self._asked_ms, self._voiced_ms = t_ms, voiced_ms
        self.recognitions += 1
        self.recognitions_total += 1
        segment = np.concatenate(self._pcm)
        self._task = asyncio.get_running_loop().create_task(self._recognise(segment))

    async def collect(self, t_ms: int) -> HeardWords | None:
        """Words that are ready by call time `t_ms` (each recognition's, once)."""
        task = self._task
        if task is not None and (task.done() or self._replay):
            heard = await task
            self._task = None
            if heard is not None:
                self.decode_ms.append(heard.decode_ms)
                took = heard.decode_ms if self._fixed_ms is None else self._fixed_ms
                lands = self._asked_ms + int(np.ceil(took / FRAME_MS)) * FRAME_MS
                self._held = (lands if self._replay else 0, heard)
        if self._held is not None and self._held[0] <= t_ms:
            heard = self._held[1]
            self._held = None
            return heard
        return None

    def cancel(self) -> None:
        """The candidate ended (or a new one began): its recognition is no longer wanted."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        self._held = None
        self.recognitions = 0
        self._voiced_ms = 0

    async def _recognise(self, pcm: np.ndarray) -> HeardWords | None:
        assert self.recognizer is not None  # checked by `add`
        try:
            hear = getattr(self.recognizer, "hear", None)
            if hear is not None:
                return await hear(pcm)
            text = await self.recognizer.transcribe(pcm)
            return HeardWords(text=text, no_speech=0.0, logprob=0.0, decode_ms=0.0)
        except Exception:  # recognition is a hint; the policy decides without it
            log.exception("barge-in: candidate recognition failed")
            return None


__all__ = ["CandidateListener", "SegmentRecognizer"]
