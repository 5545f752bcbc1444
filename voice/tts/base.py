"""What every synthesizer shares: the output format, resampling to it, and sentence splitting.

Synthesizers yield 8 kHz mono int16 numpy chunks (the call's own format, `voice.speech.
Synthesizer`); the first chunk is ready as soon as the first sentence is, so the caller hears
the reply start while the rest is still being synthesised.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import soxr

SAMPLE_RATE = 8000
CHUNK_SAMPLES = 1600
"""Largest chunk yielded (200 ms): small enough for fine-grained playout marks."""

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=\S)")


def split_sentences(text: str) -> list[str]:
    """Sentences (or clauses ending in ; or :) of `text`, for providers that take text pieces."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def to_pcm8k(audio: np.ndarray, rate: int) -> np.ndarray:
    """Float in [-1, 1] or int16 audio at `rate` → 8 kHz int16."""
    x = np.asarray(audio)
    x = x.astype(np.float32) / 32768.0 if x.dtype == np.int16 else x.astype(np.float32)
    if rate != SAMPLE_RATE:
        x = soxr.resample(x, rate, SAMPLE_RATE)
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)


def chunked(pcm: np.ndarray, size: int = CHUNK_SAMPLES) -> Iterator[np.ndarray]:
    """`pcm` in pieces of at most `size` samples."""
    for start in range(0, len(pcm), size):
        yield pcm[start : start + size]


class StreamResampler:
    """Resamples a stream of int16 byte chunks (e.g. 24 kHz HTTP audio) to 8 kHz int16 arrays.

    Network chunks can split a sample in two; the odd byte is carried to the next chunk.
    """

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._odd = b""
        self._stream = soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="float32")

    def push(self, data: bytes) -> np.ndarray:
        data = self._odd + data
        cut = len(data) - len(data) % 2
        self._odd = data[cut:]
        x = np.frombuffer(data[:cut], dtype="<i2").astype(np.float32) / 32768.0
        return self._out(self._stream.resample_chunk(x, last=False))

    def flush(self) -> np.ndarray:
        return self._out(self._stream.resample_chunk(np.zeros(0, np.float32), last=True))

    @staticmethod
    def _out(y: np.ndarray) -> np.ndarray:
        return np.clip(np.round(y * 32767.0), -32768, 32767).astype(np.int16)


__all__ = [
    "CHUNK_SAMPLES",
    "SAMPLE_RATE",
    "StreamResampler",
    "chunked",
    "split_sentences",
    "to_pcm8k",
]
