"""Sample-rate conversion for recognizers: the call is 8 kHz, most models want 16 kHz."""

from __future__ import annotations

import numpy as np
import soxr


def to_float16k(pcm: np.ndarray) -> np.ndarray:
    """8 kHz int16 → 16 kHz float32 in [-1, 1] (what Whisper and most ASR models take)."""
    x = np.asarray(pcm, np.int16).astype(np.float32) / 32768.0
    return soxr.resample(x, 8000, 16000).astype(np.float32, copy=False)


def to_int16_16k(pcm: np.ndarray) -> np.ndarray:
    """8 kHz int16 → 16 kHz int16."""
    y = to_float16k(pcm) * 32768.0
    return np.clip(y, -32768, 32767).astype(np.int16)


__all__ = ["to_float16k", "to_int16_16k"]
