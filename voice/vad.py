"""Per-frame voice activity features: an energy detector over a tracked noise floor, plus the
cheap spectral shape numbers the barge-in policy uses. Silero's probability is added by the
caller from `voice.silero` (batched across calls, off the event loop).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voice.codec import FRAME_SAMPLES, SAMPLE_RATE

_FREQS = np.fft.rfftfreq(FRAME_SAMPLES * 2, 1 / SAMPLE_RATE)
_BAND = (_FREQS >= 300) & (_FREQS <= 3400)
_WINDOW = np.hanning(FRAME_SAMPLES * 2)


@dataclass(frozen=True, kw_only=True, slots=True)
class EnergySettings:
    """Energy detector thresholds."""

    over_floor_db: float = 9.0
    """A frame is active when this far above the noise floor."""
    min_level_db: float = -52.0
    """...and at least this loud (dBFS), so line hiss never counts."""
    floor_rise_db: float = 0.05
    """How fast the floor follows a louder signal, dB per frame (slow: speech is not noise)."""
    floor_fall: float = 0.2
    """Share of the gap closed per frame when the signal drops below the floor (fast)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class EnergyFrame:
    """Energy detector output for one frame."""

    level_db: float
    floor_db: float
    active: bool
    flatness: float  # spectral flatness in the phone band, 0 (tonal) .. 1 (white)


class EnergyVad:
    """One call's energy detector; keeps the last frame to analyse 40 ms spectra."""

    def __init__(self, settings: EnergySettings | None = None) -> None:
        self.settings = settings or EnergySettings()
        self.floor_db: float | None = None
        self._prev = np.zeros(FRAME_SAMPLES, np.float64)

    def process(self, pcm: np.ndarray) -> EnergyFrame:
        s = self.settings
        x = pcm.astype(np.float64) / 32768.0
        level = float(10 * np.log10(np.mean(x * x) + 1e-12))
        if self.floor_db is None:
            self.floor_db = level
        elif level < self.floor_db:
            self.floor_db += s.floor_fall * (level - self.floor_db)
        else:
            self.floor_db = min(level, self.floor_db + s.floor_rise_db)
        active = level > self.floor_db + s.over_floor_db and level > s.min_level_db
        spec = np.abs(np.fft.rfft(np.concatenate([self._prev, x]) * _WINDOW))[_BAND] ** 2 + 1e-14
        self._prev = x
        flatness = float(np.exp(np.mean(np.log(spec))) / np.mean(spec))
        return EnergyFrame(level_db=level, floor_db=self.floor_db, active=active, flatness=flatness)


__all__ = ["EnergyFrame", "EnergySettings", "EnergyVad"]
