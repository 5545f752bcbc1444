"""DTMF (keypad tone) detection on 20 ms frames with the Goertzel algorithm, vectorised in numpy.

A key press is one row tone (697-941 Hz) plus one column tone (1209-1633 Hz). A frame is a tone
frame when the strongest row and column bins together hold most of the frame's energy and
neither is much weaker than the other (the "twist" limit): speech and music spread their
energy over many more frequencies. Used by barge-in so that keypad presses never cancel the
agent (and by the call loop where Twilio does not send `dtmf` events).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voice.codec import FRAME_SAMPLES, SAMPLE_RATE

ROWS = (697.0, 770.0, 852.0, 941.0)
COLS = (1209.0, 1336.0, 1477.0, 1633.0)
KEYS = ("123A", "456B", "789C", "*0#D")

_n = np.arange(FRAME_SAMPLES)
_FREQS = np.array(ROWS + COLS)
# Goertzel at non-integer bins is the DFT at that frequency; as a matrix it is one product.
_BASIS = np.exp(-2j * np.pi * np.outer(_FREQS, _n) / SAMPLE_RATE) * np.hanning(FRAME_SAMPLES)
_WINDOW_POWER = float(np.sum(np.hanning(FRAME_SAMPLES) ** 2))


@dataclass(frozen=True, kw_only=True, slots=True)
class DtmfSettings:
    """Detection thresholds."""

    min_tone_share: float = 0.6
    """Share of the frame's energy the two tones must carry."""
    max_twist_db: float = 8.0
    """Largest level difference between the row and the column tone."""
    min_level_db: float = -45.0
    """Quietest tone frame considered, dBFS."""


def tone_powers(pcm: np.ndarray) -> np.ndarray:
    """Power at the eight DTMF frequencies for one frame of int16 samples."""
    x = pcm.astype(np.float64) / 32768.0
    return np.abs(_BASIS @ x) ** 2


def detect(pcm: np.ndarray, settings: DtmfSettings | None = None) -> str | None:
    """The key whose tones fill this frame, or None."""
    s = settings or DtmfSettings()
    x = pcm.astype(np.float64) / 32768.0
    energy = float(np.dot(x, x))
    if energy <= 0 or 10 * np.log10(energy / len(x) + 1e-12) < s.min_level_db:
        return None
    p = tone_powers(pcm)
    r, c = int(np.argmax(p[:4])), int(np.argmax(p[4:]))
    pr, pc = float(p[r]), float(p[4 + c])
    # a windowed sinusoid of power A^2/2 gives |X|^2 = A^2/4 * sum(w)^2; convert to energy
    tone_energy = (pr + pc) * 2.0 / _WINDOW_POWER
    twist = abs(10 * np.log10((pr + 1e-18) / (pc + 1e-18)))
    if tone_energy / energy < s.min_tone_share or twist > s.max_twist_db:
        return None
    return KEYS[r][c]


__all__ = ["COLS", "KEYS", "ROWS", "DtmfSettings", "detect", "tone_powers"]
