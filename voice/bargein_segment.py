"""One barge-in candidate segment and its acoustic numbers, kept up to date frame by frame.

The scorer reads ~20 numbers about the candidate on every paused frame (means, maxima, a level
spread, shares of voiced and pitched frames). Recomputed from the segment's lists on each frame
they were the costliest part of a paused frame at 100 calls, so the segment keeps running sums,
maxima, counts and a sorted copy of its levels as frames arrive. The values are exactly those
of the plain computation: the same additions, in the same order.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

from voice.bargein_features import FrameShape
from voice.bargein_words import HeardWords

FRAME_MS = 20
SILERO_WINDOW_MS = 32
PERIODIC = 0.75  # autocorrelation peak of a clearly pitched frame


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _rise(levels: list[float], background_db: float) -> float:
    return round(_mean(levels) - background_db, 1) if levels else 0.0


def _swing(s: list[float]) -> float:
    """90th minus 10th percentile of sorted values (linear interpolation, as np.percentile)."""

    def at(q: float) -> float:
        k = (len(s) - 1) * q
        lo = int(k)
        hi = min(lo + 1, len(s) - 1)
        return float(s[lo] + (s[hi] - s[lo]) * (k - lo))

    return round(at(0.9) - at(0.1), 1)


@dataclass(slots=True)
class Segment:
    """A candidate: from the onset that paused the agent to its confirm or resume."""

    start_ms: int
    bg_level_db: float = -70.0  # the line outside candidates, when this one began
    bg_prob: float = 0.0
    frames: int = 0
    active: int = 0
    quiet_run: int = 0
    dtmf: int = 0
    echo: int = 0
    now_ms: int = 0  # end of the last frame it covers
    score: float = 0.0  # the model's latest
    projected: np.ndarray | None = None  # the heard words' embedding on the model's axes
    unscored: tuple[dict[str, float | int | str], np.ndarray] | None = None
    """The latest frame's model inputs when it was not scored (no decision could use it)."""
    words: tuple[str, ...] | None = None
    heard: HeardWords | None = None
    levels: list[float] = field(default_factory=list)  # dB, one per frame
    probs: list[float] = field(default_factory=list)  # Silero, one per 32 ms window
    prior: dict[str, float | int] | None = None  # earlier candidates (set by the policy)
    lexical: list[str] | None = None  # the heard words that are not backchannels (ditto)
    _level_sum: float = 0
    _level_max: float = -np.inf
    _earlier_max: float = -np.inf  # loudest frame before the last two
    _ordered: list[float] = field(default_factory=list)  # `levels`, sorted
    _prob_sum: float = 0
    _prob_max: float = 0.0
    _voiced: int = 0  # windows at or over `_voiced_at`
    _voiced_at: float = -1.0
    _period: list[float] = field(default_factory=list)  # periodicity of measured frames
    _period_sum: float = 0
    _periodic: int = 0
    _flat_sum: float = 0

    def add_level(self, level_db: float) -> None:
        self.levels.append(level_db)
        self._level_sum += level_db
        self._level_max = max(self._level_max, level_db)
        if len(self.levels) > 2:
            self._earlier_max = max(self._earlier_max, self.levels[-3])
        bisect.insort(self._ordered, level_db)

    @property
    def loudest_db(self) -> float | None:
        """Its loudest frame so far (None before any)."""
        return self._level_max if self.levels else None

    def louder_source(self, rise_db: float) -> bool:
        """The last two frames both stand `rise_db` over every earlier frame of the segment:
        something new and louder started inside it."""
        levels = self.levels
        return len(levels) > 2 and min(levels[-1], levels[-2]) >= self._earlier_max + rise_db

    def add_probs(self, probs: tuple[float, ...] | list[float]) -> None:
        for p in probs:
            self.probs.append(p)
            self._prob_sum += p
            self._prob_max = max(self._prob_max, p)
            self._voiced += p >= self._voiced_at

    def add_shape(self, shape: FrameShape) -> None:
        if shape.flatness > 0:  # digitally silent frames have no shape
            self._period.append(shape.periodicity)
            self._period_sum += shape.periodicity
            self._periodic += shape.periodicity >= PERIODIC
            self._flat_sum += shape.flatness

    def voiced_ms(self, speech_prob: float) -> int:
        """Voiced audio so far: Silero windows at or over `speech_prob`."""
        if speech_prob != self._voiced_at:
            self._voiced_at = speech_prob
            self._voiced = sum(1 for p in self.probs if p >= speech_prob)
        return SILERO_WINDOW_MS * self._voiced

    def acoustics(self, speech_prob: float) -> dict[str, float | int | str]:
        """The candidate's acoustic numbers (the scorer's inputs before the prior candidates
        and the words)."""
        probs, levels, period = self.probs, self.levels, self._period
        windows = len(probs)
        voiced_ms = self.voiced_ms(speech_prob)
        shaped = len(period)
        bg = self.bg_level_db
        return {
            "elapsed_ms": self.now_ms - self.start_ms,
            "active_ms": self.active * FRAME_MS,
            "voiced_ms": voiced_ms,
            "voiced_share": round(voiced_ms / SILERO_WINDOW_MS / windows, 3) if windows else 0.0,
            "max_prob": round(self._prob_max, 3),
            "mean_prob": round(self._prob_sum / windows, 3) if windows else 0.0,
            "modulation_db": _swing(self._ordered) if len(levels) > 2 else 0.0,
            "rise_db": round(self._level_sum / len(levels) - bg, 1) if levels else 0.0,
            "bg_level_db": round(bg, 1),
            "bg_prob": round(self.bg_prob, 3),
            "periodicity": round(self._period_sum / shaped, 3) if shaped else 0.0,
            "periodic_share": round(self._periodic / shaped, 3) if shaped else 0.0,
            "flatness": round(self._flat_sum / shaped, 3) if shaped else 0.0,
            "echo_share": round(self.echo / self.frames, 3) if self.frames else 0.0,
            "quiet_ms": self.quiet_run * FRAME_MS,
            # is it still going? a backchannel fades by ~400 ms, a turn goes on
            "tail_prob": round(_mean(probs[-3:]), 3) if probs else 0.0,
            "tail_db": round(_mean(levels[-3:]) - self._level_max, 1) if levels else 0.0,
            # the last ~300 ms alone: a caller who starts talking inside a long noisy candidate
            # shows here before the whole-segment averages move
            "recent_prob": round(_mean(probs[-10:]), 3) if probs else 0.0,
            "recent_rise_db": _rise(levels[-15:], bg),
            "recent_periodicity": round(_mean(period[-15:]), 3) if shaped else 0.0,
            # a door or a cough jumps out at once; speech builds up over a syllable
            "onset_rise_db": _rise(levels[:5], bg),
        }


__all__ = ["FRAME_MS", "PERIODIC", "Segment"]
