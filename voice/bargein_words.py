"""Words on a barge-in candidate, fast enough to decide inside the confirmation window.

The call's recogniser (`voice.stt.whisper`) decodes through faster-whisper, which pads every
input to Whisper's 30 s context: ~0.8-1.5 s per decode on this hardware whatever the length, far
too slow for a 300-600 ms candidate. The encoder itself accepts shorter inputs (CTranslate2
slices the position table), and its cost is proportional to the frames given: encoding 2 s
instead of 30 s costs ~40 ms instead of ~800 ms. So the candidate is turned into log-mel
features padded (with the log-mel of silence, as in training) only to `context_s`, and decoded
greedily with a token budget matched to its length. Shorter context makes Whisper more prone to
inventing words on non-speech, so the result carries Whisper's own no-speech probability and
mean token log-probability: the policy trusts words only when both say "speech".

The model is the same shipped `tiny.en` the call recogniser uses, but its own instance (its own
CTranslate2 worker), so a candidate check never queues behind a full-utterance decode.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


@dataclass(frozen=True, kw_only=True, slots=True)
class HeardWords:
    """What the recogniser made of a candidate segment."""

    text: str
    no_speech: float  # Whisper's probability that the segment holds no speech (0..1)
    logprob: float  # mean log-probability of the decoded tokens (closer to 0 = surer)
    decode_ms: float  # wall time of the decode itself (not queueing)
    embedding: np.ndarray | None = None  # Whisper encoder output, mean over the audio frames


@dataclass(frozen=True, kw_only=True, slots=True)
class SegmentWordsSettings:
    model: str = "tiny.en"
    threads: int = 1
    """CTranslate2 threads for one check (1: many calls share two cores)."""
    context_s: float = 2.0
    """Encoder context the segment is padded to (Whisper degrades on very short contexts)."""
    max_segment_s: float = 3.0
    """Longer candidates keep only their last seconds (the policy has decided long before)."""
    tokens_per_s: float = 6.0
    """Decoding budget: ~3 words a second of speech, with room for punctuation."""


def _yield_to_frames() -> None:
    """Run candidate recognition at a lower OS priority than the event loop and Silero: on a
    busy box a word check may land a frame later, but no call's frames wait behind it (at 100
    calls on 2 cores, equal priority cost ~15 ms of p99 frame lag)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not Linux, or not allowed: equal priority still works
        pass


class SegmentWords:
    """`SegmentRecognizer` for the barge-in controller: `await hear(pcm)` -> `HeardWords`."""

    def __init__(self, settings: SegmentWordsSettings | None = None) -> None:
        self.settings = settings or SegmentWordsSettings()
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="bargein-words", initializer=_yield_to_frames
        )
        self._model: WhisperModel | None = None
        self._tokenizer: Any = None
        self._prompt: list[int] = []

    def _load(self) -> WhisperModel:
        if self._model is None:
            from faster_whisper.tokenizer import Tokenizer

            from voice.stt.whisper_models import load_whisper

            model = load_whisper(self.settings.model, self.settings.threads)
            tok = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe",
                            language="en" if model.model.is_multilingual else None)  # fmt: skip
            self._tokenizer = tok
            self._prompt = [*tok.sot_sequence, tok.no_timestamps]
            self._model = model
        return self._model

    async def warm_up(self) -> None:
        await self.hear(np.zeros(4000, np.int16))

    async def hear(self, pcm: np.ndarray) -> HeardWords:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.hear_sync, pcm)

    async def transcribe(self, pcm: np.ndarray) -> str:
        """The plain `SegmentRecognizer` protocol (text only)."""
        return (await self.hear(pcm)).text

    def hear_sync(self, pcm: np.ndarray) -> HeardWords:
        """Blocking decode of one 8 kHz int16 segment."""
        import ctranslate2

        from voice.stt.resample import to_float16k

        t0 = time.perf_counter()
        s = self.settings
        model = self._load()
        pcm = np.asarray(pcm, np.int16)[-int(s.max_segment_s * 8000) :]
        if len(pcm) < 800:
            return HeardWords(text="", no_speech=1.0, logprob=-10.0, decode_ms=0.0)
        feats = model.feature_extractor(to_float16k(pcm))
        # the extractor's last frame is partial; pad with silence's log-mel (its floor value)
        frames = max(int(s.context_s * 100), feats.shape[-1])
        frames += frames % 2  # the encoder halves the frame count
        pad = frames - feats.shape[-1]
        if pad > 0:
            feats = np.pad(feats, ((0, 0), (0, pad)), constant_values=float(feats.min()))
        view = ctranslate2.StorageView.from_array(
            np.ascontiguousarray(feats[None], dtype=np.float32)
        )
        budget = 4 + int(s.tokens_per_s * len(pcm) / 8000)
        # encode once: the decoder reads it, and its average over the real audio (not the
        # padding) says what kind of sound this is, words or not
        encoded = model.model.encode(view, to_cpu=True)
        audio_frames = max(1, min(frames // 2, int(np.ceil(len(pcm) / 8000 * 50))))
        embedding = np.asarray(encoded)[0, :audio_frames].mean(axis=0).astype(np.float32)
        result = model.model.generate(
            encoded,
            [self._prompt],
            beam_size=1,
            max_length=len(self._prompt) + budget,
            return_scores=True,
            return_no_speech_prob=True,
            repetition_penalty=1.3,
            no_repeat_ngram_size=3,
        )[0]
        ids = [t for t in result.sequences_ids[0] if t < self._tokenizer.eot]
        text = self._tokenizer.decode(ids).strip()
        logprob = float(result.scores[0])  # already divided by the length (length_penalty=1)
        return HeardWords(
            text=text,
            no_speech=float(result.no_speech_prob),
            logprob=logprob,
            decode_ms=(time.perf_counter() - t0) * 1000.0,
            embedding=embedding,
        )

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


__all__ = ["HeardWords", "SegmentWords", "SegmentWordsSettings"]
