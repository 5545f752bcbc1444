"""The offline recognizer: Whisper (CTranslate2) on a model shipped in a wheel.

Whisper is trained on 30 s windows and faster-whisper pads every input to 30 s, so a 2 s
utterance costs as much encoder time as 30 s of audio (about 1 s of CPU on these cores). We
run CTranslate2 directly and encode only the utterance plus `_MARGIN_SAMPLES` of silence: on the
bargein-dev clips this is 5-10x faster with the same word error rate (see bench/stt_tts.py,
which measures both). Calls share one model and one decode thread (one decode already uses both
cores); decodes run off the event loop, so the 20 ms frame loop never waits on the model.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from voice.speech import Transcript
from voice.speech_config import SpeechSettings
from voice.stt.repeats import collapse_repeats
from voice.stt.resample import to_float16k
from voice.stt.stream import SegmentingStream
from voice.stt.whisper_models import load_whisper

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whisper")

_FULL_FRAMES = 3000  # Whisper's 30 s window, in 10 ms mel frames
_MARGIN_SAMPLES = 8000
"""Silence appended to an utterance (0.5 s at 16 kHz): Whisper must "see" the speech end or it
loops; 0.25 s and 1 s both measured worse on bargein-dev."""
_NO_SPEECH = 0.6  # text dropped above this no-speech probability when it is also unsure
_UNSURE_LOGPROB = -1.0  # mean token log-probability below which a decode is "unsure"
_STOCK_NO_SPEECH = 0.2  # a real caller's "thank you" is kept when Whisper hears speech
# Whisper's habit on noise-only audio: stock phrases from its training subtitles.
_HALLUCINATIONS = re.compile(
    r"^\W*(thank you( for watching)?|thanks for watching|you|bye|\.+|\[.*\]|\(.*\))\W*$",
    re.IGNORECASE,
)


class WhisperRecognizer:
    """`Recognizer` (streaming, per call) and `SegmentRecognizer` (one-shot) in one object."""

    def __init__(self, settings: SpeechSettings | None = None, *, full_window: bool = False):
        self.settings = settings or SpeechSettings()
        self.model_name = self.settings.whisper_model
        self.full_window = full_window
        """Pad to 30 s like stock Whisper (slower; kept for the benchmark's comparison)."""

    def open(self) -> SegmentingStream:
        """A new per-call stream with end-of-turn detection; the model is shared."""
        return SegmentingStream(
            self,
            settings=self.settings.endpoint,
            partial_interval_ms=self.settings.partial_interval_ms,
        )

    async def warm_up(self) -> None:
        """Load the model and run one decode, so the first caller does not pay for it."""
        await self.decode(np.zeros(4000, np.int16))

    async def decode(self, pcm: np.ndarray, *, hint: str | None = None) -> str:
        """Text of one utterance (8 kHz int16); `hint` primes Whisper with likely words."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_executor, self.decode_sync, pcm, hint)

    async def transcribe(self, pcm: np.ndarray) -> str:
        """One-shot text of a short candidate segment (the barge-in check)."""
        return await self.decode(pcm)

    async def recognize(self, pcm: np.ndarray) -> Transcript:
        """One-shot final `Transcript` of a whole utterance."""
        return Transcript(text=await self.decode(pcm), final=True)

    def decode_sync(self, pcm: np.ndarray, hint: str | None = None) -> str:
        """Blocking decode, for benchmarks and worker threads."""
        if len(pcm) < 800:  # under 100 ms there is nothing a recognizer can use
            return ""
        import ctranslate2
        from faster_whisper.tokenizer import Tokenizer

        model = load_whisper(self.model_name, self.settings.stt_threads)
        audio = to_float16k(pcm)[: 30 * 16000]
        # pad with real silence (zeros in the waveform, not in the mel domain)
        pad = 30 * 16000 - len(audio) if self.full_window else _MARGIN_SAMPLES
        mel = model.feature_extractor(audio, padding=pad)[:, :_FULL_FRAMES]
        mel = mel[:, : mel.shape[1] - mel.shape[1] % 2]  # the stride-2 encoder wants even frames
        features = np.ascontiguousarray(mel[None], dtype=np.float32)
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en"
        )
        prompt: list[int] = []
        if hint:
            prompt = [tokenizer.sot_prev, *tokenizer.encode(" " + hint.strip())[:100]]
        prompt += [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        encoded = model.model.encode(ctranslate2.StorageView.from_array(features), to_cpu=False)
        # ~3 words/s of speech is ~5 tokens/s; the cap stops noise-driven repetition loops
        seconds = len(audio) / 16000
        result = model.model.generate(
            encoded,
            [prompt],
            beam_size=1,
            max_length=int(16 + 10 * seconds),
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=[-1],
            no_repeat_ngram_size=0,
        )[0]
        ids = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
        text = collapse_repeats(tokenizer.decode(ids).strip())
        logprob = result.scores[0] if result.scores else 0.0
        if result.no_speech_prob > _NO_SPEECH and logprob < _UNSURE_LOGPROB:
            return ""
        if _HALLUCINATIONS.match(text) and result.no_speech_prob > _STOCK_NO_SPEECH:
            return ""
        return text


__all__ = ["WhisperRecognizer"]
