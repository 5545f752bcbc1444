"""8 kHz int16 PCM as an in-memory WAV file, the upload format of HTTP transcription APIs."""

from __future__ import annotations

import io

import numpy as np
import soundfile as sf


def wav_bytes(pcm: np.ndarray, rate: int = 8000) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.asarray(pcm, np.int16), rate, subtype="PCM_16", format="WAV")
    return buf.getvalue()


__all__ = ["wav_bytes"]
