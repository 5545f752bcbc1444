"""Acoustic numbers that tell one near talker from a room, music, noise or a cough.

Silero says "voice" for a caller, for a room of other people talking and for a laugh alike, so
the candidate check also looks at the sound's shape:

- periodicity: the normalised autocorrelation peak at a voice pitch lag (60-400 Hz). One talker's
  voiced speech repeats at its pitch period; several voices summed (babble), coughs, breaths
  and most noises do not. Tonal sounds (bells, beeps, music) are periodic too, but flat in level
  and without the syllable-rate swing `modulation_db` measures.
- spectral flatness over the telephone band: near 1 for noise, low for voiced speech and tones.
- background: what the line carried before the candidate (level and Silero probability), so a
  segment is judged by how far it stands out of a noisy room, not by its level alone.

Computed only for frames in or just before a candidate (never for the whole call: at 100 calls a
per-frame FFT would cost a core share on its own).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 8000
_NFFT = 512
_MIN_LAG, _MAX_LAG = SAMPLE_RATE // 400, SAMPLE_RATE // 60  # voice pitch 60-400 Hz
_BAND = slice(int(300 * _NFFT / SAMPLE_RATE), int(3400 * _NFFT / SAMPLE_RATE) + 1)
_WINDOW = np.hanning(2 * 160).astype(np.float64)


@dataclass(frozen=True, slots=True)
class FrameShape:
    periodicity: float  # 0..1
    flatness: float  # 0..1


def frame_shape(window: np.ndarray) -> FrameShape:
    """Shape of a 40 ms window (the current 20 ms frame and the one before it), int16 or float."""
    x = np.asarray(window, np.float64)
    x = x - x.mean()
    energy = float(np.dot(x, x))
    if energy < 1e-3 * len(x):  # digital silence: neither voiced nor noise-like
        return FrameShape(0.0, 0.0)
    spec = np.fft.rfft(x * _WINDOW[: len(x)] if len(x) == len(_WINDOW) else x, _NFFT)
    power = spec.real**2 + spec.imag**2
    ac = np.fft.irfft(power, _NFFT)[: _MAX_LAG + 1]
    n = len(x)
    lags = np.arange(_MIN_LAG, _MAX_LAG + 1)
    # the taper shrinks long lags; dividing by the window's own autocorrelation undoes that
    norm = ac[_MIN_LAG:] / max(ac[0], 1e-12) / _window_ac(n)[lags]
    band = power[_BAND] + 1e-12
    flat = float(np.exp(np.mean(np.log(band))) / np.mean(band))
    return FrameShape(float(np.clip(norm.max(), 0.0, 1.0)), flat)


_AC_CACHE: dict[int, np.ndarray] = {}


def _window_ac(n: int) -> np.ndarray:
    """Normalised autocorrelation of the analysis taper (what a perfectly periodic signal gives)."""
    if n not in _AC_CACHE:
        w = _WINDOW if n == len(_WINDOW) else np.ones(n)
        ac = np.correlate(w, w, mode="full")[n - 1 :]
        _AC_CACHE[n] = np.maximum(ac / ac[0], 1e-3)
    return _AC_CACHE[n]


@dataclass(slots=True)
class Background:
    """Slow averages of what the line carries outside candidates (after echo cancelling)."""

    level_db: float | None = None
    prob: float = 0.0
    rate: float = 0.02  # per 20 ms frame: a ~1 s memory

    def update(self, level_db: float, probs: tuple[float, ...]) -> None:
        if self.level_db is None:
            self.level_db = level_db
        else:
            self.level_db += self.rate * (level_db - self.level_db)
        for p in probs:
            self.prob += self.rate * 1.6 * (p - self.prob)  # Silero windows are 32 ms


__all__ = ["Background", "FrameShape", "frame_shape"]
