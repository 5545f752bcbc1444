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
    n = len(x)
    x = x - np.add.reduce(x) / n  # (ndarray.mean costs more than the sum on 320 samples)
    if float(np.dot(x, x)) < 1e-3 * n:  # digital silence: neither voiced nor noise-like
        return FrameShape(0.0, 0.0)
    taper, norm = _taper(n)
    spec = np.fft.rfft(x * taper, _NFFT)
    power = spec.real * spec.real + spec.imag * spec.imag
    ac = np.fft.irfft(power, _NFFT)
    # the taper shrinks long lags; dividing by the taper's own autocorrelation undoes that
    peak = float((ac[_MIN_LAG : _MAX_LAG + 1] * norm).max()) / max(float(ac[0]), 1e-12)
    band = power[_BAND] + 1e-12
    bins = len(band)
    flat = float(np.exp(np.add.reduce(np.log(band)) / bins) / (np.add.reduce(band) / bins))
    return FrameShape(min(max(peak, 0.0), 1.0), flat)


def frame_shapes(windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`frame_shape` of every row of a (frames, 320) int16 array at once (periodicity,
    flatness): one FFT call for a batch of calls costs ~14 us a frame where one frame alone
    costs ~45 us. Same operations as `frame_shape`, row by row, so the values are the same."""
    x = np.asarray(windows, np.float64)
    n = x.shape[1]
    x = x - (np.add.reduce(x, axis=1) / n)[:, None]
    silent = np.einsum("ij,ij->i", x, x) < 1e-3 * n
    taper, norm = _taper(n)
    spec = np.fft.rfft(x * taper, _NFFT, axis=1)
    power = spec.real * spec.real + spec.imag * spec.imag
    ac = np.fft.irfft(power, _NFFT, axis=1)
    peak = (ac[:, _MIN_LAG : _MAX_LAG + 1] * norm).max(axis=1) / np.maximum(ac[:, 0], 1e-12)
    band = power[:, _BAND] + 1e-12
    bins = band.shape[1]
    flat = np.exp(np.add.reduce(np.log(band), axis=1) / bins) / (np.add.reduce(band, axis=1) / bins)
    periodicity = np.where(silent, 0.0, np.minimum(np.maximum(peak, 0.0), 1.0))
    return periodicity, np.where(silent, 0.0, flat)


_TAPERS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _taper(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The analysis taper for `n` samples and 1 / its normalised autocorrelation at the pitch
    lags (what a perfectly periodic signal gives), computed once per length."""
    if n not in _TAPERS:
        w = _WINDOW if n == len(_WINDOW) else np.ones(n)
        ac = np.correlate(w, w, mode="full")[n - 1 :]
        ac = np.maximum(ac / ac[0], 1e-3)
        lags = np.arange(_MIN_LAG, _MAX_LAG + 1)
        _TAPERS[n] = (w, 1.0 / ac[np.minimum(lags, n - 1)])
    return _TAPERS[n]


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


__all__ = ["Background", "FrameShape", "frame_shape", "frame_shapes"]
