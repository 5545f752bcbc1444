"""The barge-in decision rules, as a pure function of per-frame evidence (no I/O, no clock).

`BargeInPolicy.step` is fed one `FrameEvidence` per 20 ms frame while the agent speaks and
answers PAUSE (a candidate began), CONFIRM or RESUME (the candidate was decided) or nothing.
Keeping it pure makes it testable frame by frame and lets the benchmark and the live call loop
share it exactly.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from voice.bargein_features import Background, FrameShape, frame_shape
from voice.bargein_model import SegmentModel, default_model
from voice.bargein_settings import BargeInSettings
from voice.bargein_words import HeardWords

FRAME_MS = 20


_Features = dict[str, float | int | str]


class Verdict(enum.Enum):
    PAUSE = "pause"
    RESUME = "resume"
    CONFIRM = "confirm"


@dataclass(frozen=True, kw_only=True, slots=True)
class FrameEvidence:
    """What the detectors said about one echo-cancelled caller frame."""

    t_ms: int  # end of this frame, from the start of the stream
    level_db: float
    active: bool  # energy detector
    probs: tuple[float, ...] = ()  # Silero windows completed on this frame
    dtmf: bool = False
    echo: bool = False  # the far end explains this frame (residual echo)
    frames: tuple[np.ndarray, ...] = ()  # the last one or two echo-cancelled 20 ms frames
    """Joined into a 40 ms window only when the policy measures its shape (in or just before a
    candidate), not on every frame of every call."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Decision:
    verdict: Verdict
    t_ms: int
    reason: str
    features: _Features = field(default_factory=dict)


@dataclass(slots=True)
class _Segment:
    start_ms: int
    frames: int = 0
    active: int = 0
    quiet_run: int = 0
    dtmf: int = 0
    echo: int = 0
    levels: list[float] = field(default_factory=list)
    probs: list[float] = field(default_factory=list)
    shapes: list[FrameShape] = field(default_factory=list)
    now_ms: int = 0  # end of the last frame it covers
    score: float = 0.0  # the model's latest
    projected: np.ndarray | None = None  # the heard words' embedding on the model's axes
    bg_level_db: float = -70.0  # the line outside candidates, when this one began
    bg_prob: float = 0.0
    words: tuple[str, ...] | None = None
    heard: HeardWords | None = None


_PRIOR_MS = 2000  # how far back earlier candidates count
_PERIODIC = 0.75  # autocorrelation peak of a clearly pitched frame


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _rise(levels: list[float], background_db: float) -> float:
    return round(_mean(levels) - background_db, 1) if levels else 0.0


def _shape(ev: FrameEvidence) -> FrameShape:
    return frame_shape(np.concatenate(ev.frames)) if ev.frames else FrameShape(0.0, 0.0)


_LAUGH = re.compile(r"^(h[aeiou]){2,}h?$|^a?(ha)+h?$")


def words_of(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z][a-z'-]*", text.lower()))


def _swing(levels: list[float]) -> float:
    """90th minus 10th percentile (linear interpolation, as np.percentile)."""
    s = sorted(levels)

    def at(q: float) -> float:
        k = (len(s) - 1) * q
        lo = int(k)
        hi = min(lo + 1, len(s) - 1)
        return float(s[lo] + (s[hi] - s[lo]) * (k - lo))

    return round(at(0.9) - at(0.1), 1)


class BargeInPolicy:
    """Candidate detection and confirmation for one call."""

    def __init__(
        self, settings: BargeInSettings | None = None, *, model: SegmentModel | None = None
    ) -> None:
        self.settings = settings or BargeInSettings()
        self.model = model or default_model()
        self.background = Background()
        self.trace: Callable[[int, int, _Features], None] | None = None
        """Called with (t_ms, candidate start, features) on every scored frame (training runs)."""
        self._run = 0
        self._run_frames: list[tuple[float, FrameShape]] = []
        self._history: list[tuple[int, int, float]] = []  # resumed candidates: end, length, score
        self._last_prob = 0.0
        self._rearm_until = -1
        self.segment: _Segment | None = None
        self._ended: tuple[int, _Segment] | None = None  # last segment that ended, and when

    # -- feeding -----------------------------------------------------------------------------
    def step(self, ev: FrameEvidence) -> Decision | None:
        if ev.probs:
            self._last_prob = ev.probs[-1]
        return self._listen(ev) if self.segment is None else self._judge(ev)

    def hear_words(self, text: str) -> None:
        """Words the recogniser found on the current candidate segment (trusted as given)."""
        self.hear(HeardWords(text=text, no_speech=0.0, logprob=0.0, decode_ms=0.0))

    def hear(self, heard: HeardWords) -> None:
        """The latest recognition of the current candidate segment (replaces earlier ones)."""
        if self.segment is not None:
            self.segment.words = words_of(heard.text)
            self.segment.heard = heard
            self.segment.projected = None  # new words: project again on the next score

    def reset(self) -> None:
        """The agent stopped speaking (reply done or confirmed): forget any candidate."""
        self.segment = None
        self._ended = None
        self._run = 0
        self._run_frames = []
        self._history = []

    # -- rules -------------------------------------------------------------------------------
    def _speechlike(self, ev: FrameEvidence) -> bool:
        if ev.dtmf or ev.echo:
            return False
        if not ev.active and not self._voice_onset(ev):
            return False
        if ev.t_ms <= self._rearm_until:  # the noise that just resumed may still be there
            return self._last_prob >= self.settings.speech_prob
        return True

    def _voice_onset(self, ev: FrameEvidence) -> bool:
        """Silero hears a voice rising out of a loud background the energy detector's floor has
        risen into (speech at 0-5 dB SNR over music or a room)."""
        s, bg = self.settings, self.background.level_db
        return (
            self._last_prob >= s.onset_prob
            and bg is not None
            and ev.level_db >= bg + s.onset_rise_db
        )

    def _listen(self, ev: FrameEvidence) -> Decision | None:
        if self._speechlike(ev):
            self._run += 1
            self._run_frames.append((ev.level_db, _shape(ev)))
        else:
            self._run, self._run_frames = 0, []
            self.background.update(ev.level_db, ev.probs)
        if self._run * FRAME_MS < self.settings.hold_ms:
            return None
        start = ev.t_ms - self._run * FRAME_MS
        held = self._ended
        if held is not None and start - held[0] <= self.settings.merge_ms:
            # a talker's next word: one candidate, not a fresh one (backchannels are one burst)
            self.segment = held[1]
            self.segment.quiet_run = 0
        else:
            bg = self.background
            self.segment = _Segment(
                start_ms=start,
                bg_level_db=bg.level_db if bg.level_db is not None else ev.level_db,
                bg_prob=bg.prob,
            )
        self._ended = None
        self.segment.now_ms = ev.t_ms
        self.segment.frames += self._run
        self.segment.active += self._run
        self.segment.levels += [level for level, _ in self._run_frames]
        self.segment.shapes += [shape for _, shape in self._run_frames]
        self._run, self._run_frames = 0, []
        return Decision(verdict=Verdict.PAUSE, t_ms=ev.t_ms, reason="onset")

    def _judge(self, ev: FrameEvidence) -> Decision | None:
        s, seg = self.settings, self.segment
        assert seg is not None  # _judge runs only with a segment
        seg.frames += 1
        seg.now_ms = ev.t_ms
        seg.levels.append(ev.level_db)
        seg.probs.extend(ev.probs)
        seg.shapes.append(_shape(ev))
        seg.dtmf += ev.dtmf
        seg.echo += ev.echo
        # voice evidence keeps a segment alive through word gaps that noise fills in
        voiced_now = bool(ev.probs) and max(ev.probs) >= self.settings.speech_prob
        live = (ev.active or voiced_now) and not ev.dtmf and not ev.echo
        seg.active += live
        seg.quiet_run = 0 if live else seg.quiet_run + 1
        elapsed = ev.t_ms - seg.start_ms
        f = self.features()

        # what no score should overrule: keypad tones, the agent's own voice, silence, no voice
        if seg.dtmf:
            return self._resume(ev, "dtmf", f)
        if seg.echo * 2 > seg.frames:
            return self._resume(ev, "echo", f)
        if seg.quiet_run * FRAME_MS >= s.end_ms:
            if f["voiced_ms"]:
                self._ended = (ev.t_ms, seg)
            return self._resume(ev, "ended", f, rearm=f["voiced_ms"] == 0)
        if elapsed >= s.nonspeech_ms and f["max_prob"] < s.speech_prob:
            return self._resume(ev, "not speech", f, rearm=True)

        if seg.projected is None:
            seg.projected = self.model.project(seg.heard.embedding if seg.heard else None)
        score = self.model.score(f, projected=seg.projected)
        seg.score = score
        f["score"] = round(score, 3)
        if self.trace is not None:
            self.trace(ev.t_ms, seg.start_ms, f)
        m = self.model
        confirm = s.confirm_score if s.confirm_score is not None else m.confirm_score
        timeout = s.timeout_score if s.timeout_score is not None else m.timeout_score
        extend = s.extend_score if s.extend_score is not None else m.extend_score
        if s.confirm_ms <= elapsed <= s.max_confirm_ms and score >= confirm:
            return self._confirm(ev, "turn", f)
        if elapsed >= s.max_confirm_ms:
            if score >= timeout:
                return self._confirm(ev, "turn at window end", f)
            # still promising: stay paused a little longer rather than talk over the caller
            if score < extend or elapsed >= s.longest_pause_ms:
                return self._resume(ev, "not a turn", f, rearm=True)
        return None

    def features(self) -> _Features:
        """The candidate segment's numbers: the model's inputs (`voice.bargein_model.FEATURES`),
        plus the words, recorded with every decision for replay."""
        seg = self.segment
        if seg is None:
            return {}
        # plain Python over these short lists (at most ~35 frames): numpy's per-call overhead
        # made this the costliest step of a paused frame at 100 calls
        probs = seg.probs or [0.0]
        voiced_ms = self.voiced_ms()
        levels = seg.levels
        shapes = [sh for sh in seg.shapes if sh.flatness > 0] or [FrameShape(0.0, 0.0)]
        period = [sh.periodicity for sh in shapes]
        heard = seg.heard
        lexical = self._lexical()
        content = [w for w in lexical if w not in self.settings.function_words]
        return {
            "elapsed_ms": seg.now_ms - seg.start_ms,
            "active_ms": seg.active * FRAME_MS,
            "voiced_ms": voiced_ms,
            "voiced_share": round(voiced_ms / 32 / len(seg.probs), 3) if seg.probs else 0.0,
            "max_prob": round(max(probs), 3),
            "mean_prob": round(_mean(probs), 3),
            "modulation_db": _swing(levels) if len(levels) > 2 else 0.0,
            "rise_db": _rise(levels, seg.bg_level_db),
            "bg_level_db": round(seg.bg_level_db, 1),
            "bg_prob": round(seg.bg_prob, 3),
            "periodicity": round(_mean(period), 3),
            "periodic_share": round(sum(1 for v in period if v >= _PERIODIC) / len(period), 3),
            "flatness": round(_mean([sh.flatness for sh in shapes]), 3),
            "echo_share": round(seg.echo / seg.frames, 3) if seg.frames else 0.0,
            "quiet_ms": seg.quiet_run * FRAME_MS,
            # is it still going? a backchannel fades by ~400 ms, a turn goes on
            "tail_prob": round(_mean(seg.probs[-3:]), 3) if seg.probs else 0.0,
            "tail_db": round(_mean(levels[-3:]) - max(levels), 1) if levels else 0.0,
            # the last ~300 ms alone: a caller who starts talking inside a long noisy candidate
            # shows here before the whole-segment averages move
            "recent_prob": round(_mean(seg.probs[-10:]), 3) if seg.probs else 0.0,
            "recent_rise_db": _rise(levels[-15:], seg.bg_level_db),
            "recent_periodicity": round(_mean(period[-15:]), 3),
            # a door or a cough jumps out at once; speech builds up over a syllable
            "onset_rise_db": _rise(levels[:5], seg.bg_level_db),
            **self._prior(seg),
            "words_ready": int(heard is not None),
            "content_words": len(content) if heard is not None else 0,
            "backchannel_only": int(heard is not None and bool(seg.words) and not lexical),
            "no_speech": round(heard.no_speech, 3) if heard else 1.0,
            "logprob": round(heard.logprob, 3) if heard else -5.0,
            "words": " ".join(seg.words) if seg.words else "",
        }

    def voiced_ms(self) -> int:
        """Voiced audio on the current candidate so far (Silero windows over `speech_prob`)."""
        seg = self.segment
        if seg is None:
            return 0
        return 32 * sum(1 for p in seg.probs if p >= self.settings.speech_prob)  # 32 ms windows

    def _prior(self, seg: _Segment) -> dict[str, float | int]:
        """Candidates resumed in the 2 s before this one: a caller talking through a noisy
        line makes one after another; a backchannel or a cough makes one."""
        recent = [h for h in self._history if h[0] >= seg.start_ms - _PRIOR_MS]
        return {
            "prior_ms": sum(length for _, length, _ in recent),
            "prior_score": round(max((score for *_, score in recent), default=0.0), 3),
            "prior_gap_ms": min((seg.start_ms - h[0] for h in recent), default=_PRIOR_MS),
        }

    def _lexical(self) -> list[str]:
        seg = self.segment
        if seg is None or not seg.words:
            return []
        s = self.settings
        return [w for w in seg.words if w not in s.backchannels and not _LAUGH.match(w)]

    def _resume(
        self, ev: FrameEvidence, reason: str, f: _Features, *, rearm: bool = False
    ) -> Decision:
        if self.segment is not None:
            seg = self.segment
            self._history.append((ev.t_ms, ev.t_ms - seg.start_ms, seg.score))
            self._history = self._history[-8:]
        self.segment = None
        if rearm:
            self._rearm_until = ev.t_ms + self.settings.rearm_ms
        return Decision(verdict=Verdict.RESUME, t_ms=ev.t_ms, reason=reason, features=f)

    def _confirm(self, ev: FrameEvidence, reason: str, f: _Features) -> Decision:
        self.segment = None
        return Decision(verdict=Verdict.CONFIRM, t_ms=ev.t_ms, reason=reason, features=f)


__all__ = ["BargeInPolicy", "Decision", "FrameEvidence", "Verdict", "words_of"]
