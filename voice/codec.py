"""G.711 mu-law <-> PCM16 at 8 kHz, the only audio format Twilio Media Streams speaks.

Both directions are table lookups in numpy (a 256-entry decode table and a 65536-entry encode
table built once at import), so the per-frame hot path has no per-sample Python loop. The
tables reproduce the classic G.711 reference (the same values as `audioop.ulaw2lin` /
`audioop.lin2ulaw`, which is gone from the standard library in 3.13).
"""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 8000
"""Samples per second of Twilio call audio."""
FRAME_MS = 20
"""Duration of one Media Streams frame."""
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000
"""Samples (and mu-law bytes) in one 20 ms frame: 160."""
FRAME_BYTES = FRAME_SAMPLES
"""mu-law is one byte per sample."""

_BIAS = 0x84
_CLIP = 32635


def _build_decode_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.int32)
    u = ~codes & 0xFF
    sign = u & 0x80
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def _build_encode_table() -> np.ndarray:
    # Indexed by the int16 sample reinterpreted as uint16, so encoding is one `take`.
    samples = np.arange(65536, dtype=np.int32)
    samples = np.where(samples >= 32768, samples - 65536, samples)
    # audioop works on the top 14 bits; mirror that so values match it exactly.
    samples = samples >> 2
    sign = np.where(samples < 0, 0x80, 0x00)
    magnitude = np.where(samples < 0, -samples, samples)
    magnitude = np.minimum(magnitude, _CLIP >> 2) + (_BIAS >> 2)
    # Segment (exponent) = position of the highest set bit above bit 5.
    exponent = np.zeros_like(magnitude)
    for seg, bound in enumerate((0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)):
        exponent = np.where((magnitude > bound) & (exponent == seg), seg + 1, exponent)
    exponent = np.minimum(exponent, 7)
    mantissa = (magnitude >> (exponent + 1)) & 0x0F
    code = (sign | (exponent << 4) | mantissa) ^ 0xFF
    return code.astype(np.uint8)


_DECODE = _build_decode_table()
_ENCODE = _build_encode_table()


def ulaw_to_pcm(data: bytes) -> np.ndarray:
    """Decode mu-law bytes to a new int16 array (one sample per byte)."""
    return _DECODE.take(np.frombuffer(data, dtype=np.uint8))  # take: cheaper than indexing


def pcm_to_ulaw(pcm: np.ndarray) -> bytes:
    """Encode int16 samples (any shape, flattened) to mu-law bytes."""
    samples = np.asarray(pcm)
    if samples.dtype != np.int16:
        samples = np.clip(samples, -32768, 32767).astype(np.int16)
    return _ENCODE[samples.reshape(-1).view(np.uint16)].tobytes()


def float_to_pcm(audio: np.ndarray) -> np.ndarray:
    """Convert float samples in [-1, 1] to int16, clipping out-of-range values."""
    return (np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0) * 32767.0).astype(np.int16)


def silence_ulaw(samples: int = FRAME_SAMPLES) -> bytes:
    """mu-law digital silence (0xFF decodes to 0)."""
    return b"\xff" * samples


__all__ = [
    "FRAME_BYTES",
    "FRAME_MS",
    "FRAME_SAMPLES",
    "SAMPLE_RATE",
    "float_to_pcm",
    "pcm_to_ulaw",
    "silence_ulaw",
    "ulaw_to_pcm",
]
