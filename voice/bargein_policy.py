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
from voice.bargein_segment import FRAME_MS, Segment
from voice.bargein_settings import BargeInSettings
from voice.bargein_words import HeardWords

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
    shape: FrameShape | None = None  # that window's shape, if the front end measured it


@dataclass(frozen=True, kw_only=True, slots=True)
class Decision:
    verdict: Verdict
    t_ms: int
    reason: str
    features: _Features = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScoreRequest:
    """The model input vector of a frame that needs a score (`BargeInPolicy.begin`)."""

    inputs: np.ndarray


_PRIOR_MS = 2000  # how far back earlier candidates count
REONSET = "re-onset"
"""The reason of a PAUSE decided while already paused: a new candidate replaced the open one
(`BargeInSettings.reonset_rise_db`); the line is not cleared again."""


def _shape(ev: FrameEvidence) -> FrameShape:
    if ev.shape is not None:
        return ev.shape
    return frame_shape(np.concatenate(ev.frames)) if ev.frames else FrameShape(0.0, 0.0)


_LAUGH = re.compile(r"^(h[aeiou]){2,}h?$|^a?(ha)+h?$")


def words_of(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z][a-z'-]*", text.lower()))


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
        self._rearm_db = np.inf  # the loudest frame of the noise that set `_rearm_until`
        self.segment: Segment | None = None
        self._ended: tuple[int, Segment] | None = None  # last segment that ended, and when
        # the frame waiting for its score (`begin` -> `finish`): segment, frame, inputs, elapsed
        self._scoring: tuple[Segment, FrameEvidence, _Features, int] | None = None

    # -- feeding -----------------------------------------------------------------------------
    def step(self, ev: FrameEvidence) -> Decision | None:
        """One frame, scored here if it needs a score."""
        got = self.begin(ev)
        if isinstance(got, ScoreRequest):
            return self.finish(self.model.score_vector(got.inputs))
        return got

    def begin(self, ev: FrameEvidence) -> Decision | ScoreRequest | None:
        """One frame, up to its score: a frame the rules cannot decide without one answers a
        `ScoreRequest`, and `finish(score)` decides it (a live call scores the requests of
        every call on the loop in one batch: `voice.bargein_batch`)."""
        self._scoring = None
        if ev.probs:
            self._last_prob = ev.probs[-1]
        return self._listen(ev) if self.segment is None else self._judge(ev)

    def finish(self, score: float) -> Decision | None:
        """Decide the frame `begin` asked a score for (nothing if the candidate went since)."""
        pending, self._scoring = self._scoring, None
        if pending is None or pending[0] is not self.segment:
            return None
        return self._decide(score, *pending[1:])

    def hear_words(self, text: str) -> None:
        """Words the recogniser found on the current candidate segment (trusted as given)."""
        self.hear(HeardWords(text=text, no_speech=0.0, logprob=0.0, decode_ms=0.0))

    def hear(self, heard: HeardWords) -> None:
        """The latest recognition of the current candidate segment (replaces earlier ones)."""
        if self.segment is not None:
            self.segment.words = words_of(heard.text)
            self.segment.heard = heard
            self.segment.lexical = None
            self.segment.projected = None  # new words: project again on the next score

    def reset(self) -> None:
        """The agent stopped speaking (reply done or confirmed): forget any candidate."""
        self.segment = None
        self._ended = None
        self._scoring = None
        self._run = 0
        self._run_frames = []
        self._history = []

    def voice_likely(self) -> bool:
        """Silero's last word may start a candidate on the next frame without the energy
        detector (`_voice_onset`)."""
        return self._last_prob >= self.settings.onset_prob

    # -- rules -------------------------------------------------------------------------------
    def _speechlike(self, ev: FrameEvidence) -> bool:
        if ev.dtmf or ev.echo:
            return False
        if not ev.active and not self._voice_onset(ev):
            return False
        if ev.t_ms <= self._rearm_until:  # the noise that just resumed may still be there
            # ...but not louder than it was: a caller speaking up over it (Silero lags a
            # second or more on some voices through the phone chain)
            return self._last_prob >= self.settings.speech_prob or ev.level_db >= self._rearm_db
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
            self.segment = Segment(
                start_ms=start,
                bg_level_db=bg.level_db if bg.level_db is not None else ev.level_db,
                bg_prob=bg.prob,
            )
        self._ended = None
        self.segment.now_ms = ev.t_ms
        self.segment.frames += self._run
        self.segment.active += self._run
        for level, shape in self._run_frames:
            self.segment.add_level(level)
            self.segment.add_shape(shape)
        self._run, self._run_frames = 0, []
        return Decision(verdict=Verdict.PAUSE, t_ms=ev.t_ms, reason="onset")

    def _judge(self, ev: FrameEvidence) -> Decision | ScoreRequest | None:
        s, seg = self.settings, self.segment
        assert seg is not None  # _judge runs only with a segment
        seg.frames += 1
        seg.now_ms = ev.t_ms
        seg.add_level(ev.level_db)
        seg.add_probs(ev.probs)
        seg.add_shape(_shape(ev))
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
            return self._resume(ev, "dtmf", f, rearm=True)
        if seg.echo * 2 > seg.frames:
            return self._resume(ev, "echo", f)
        if (
            s.reonset_rise_db is not None
            and elapsed >= s.reonset_after_ms
            and live
            and seg.louder_source(s.reonset_rise_db)
        ):
            return self._restart(ev, f)
        if seg.quiet_run * FRAME_MS >= s.end_ms:
            if f["voiced_ms"]:
                self._ended = (ev.t_ms, seg)
            return self._resume(ev, "ended", f, rearm=f["voiced_ms"] == 0)
        if elapsed >= s.nonspeech_ms and f["max_prob"] < s.speech_prob:
            return self._resume(ev, "not speech", f, rearm=True)

        if seg.projected is None:
            seg.projected = self.model.project(seg.heard.embedding if seg.heard else None)
        if elapsed < s.confirm_ms and self.trace is None:
            # no rule below can fire yet: score these inputs only if the candidate ends before
            # the next frame (its last score goes into the history), ~a third of all scoring
            seg.unscored = (f, seg.projected)
            return None
        self._scoring = (seg, ev, f, elapsed)
        return ScoreRequest(self.model.inputs(f, projected=seg.projected))

    def _decide(
        self, score: float, ev: FrameEvidence, f: _Features, elapsed: int
    ) -> Decision | None:
        s, seg = self.settings, self.segment
        assert seg is not None  # `finish` checked it is the segment that was scored
        seg.score, seg.unscored = score, None
        f["score"] = round(score, 3)
        if self.trace is not None:
            self.trace(ev.t_ms, seg.start_ms, f)
        m = self.model
        confirm = s.confirm_score if s.confirm_score is not None else m.confirm_score
        timeout = s.timeout_score if s.timeout_score is not None else m.timeout_score
        extend = s.extend_score if s.extend_score is not None else m.extend_score
        final = s.final_score if s.final_score is not None else m.final_score
        if final is None:
            final = timeout
        if s.confirm_ms <= elapsed <= s.max_confirm_ms and score >= confirm:
            return self._confirm(ev, "turn", f)
        if elapsed >= s.max_confirm_ms:
            if score >= timeout:
                return self._confirm(ev, "turn at window end", f)
            if elapsed >= s.longest_pause_ms and score >= final:
                return self._confirm(ev, "turn at longest pause", f)
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
        heard = seg.heard
        if seg.prior is None:
            seg.prior = self._prior(seg)
        if seg.lexical is None:
            seg.lexical = self._lexical(seg)
        lexical = seg.lexical
        content = [w for w in lexical if w not in self.settings.function_words]
        return {
            **seg.acoustics(self.settings.speech_prob),
            **seg.prior,
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
        return 0 if seg is None else seg.voiced_ms(self.settings.speech_prob)

    def _prior(self, seg: Segment) -> dict[str, float | int]:
        """Candidates resumed in the 2 s before this one: a caller talking through a noisy
        line makes one after another; a backchannel or a cough makes one. (Fixed while the
        segment lasts: the history changes only when a candidate is resumed.)"""
        recent = [h for h in self._history if h[0] >= seg.start_ms - _PRIOR_MS]
        return {
            "prior_ms": sum(length for _, length, _ in recent),
            "prior_score": round(max((score for *_, score in recent), default=0.0), 3),
            "prior_gap_ms": min((seg.start_ms - h[0] for h in recent), default=_PRIOR_MS),
        }

    def _lexical(self, seg: Segment) -> list[str]:
        if not seg.words:
            return []
        s = self.settings
        return [w for w in seg.words if w not in s.backchannels and not _LAUGH.match(w)]

    def _remember(self, ev: FrameEvidence, seg: Segment) -> None:
        if seg.unscored is not None:  # its latest frame was not scored (`_judge`): score it now
            inputs, projected = seg.unscored
            seg.score, seg.unscored = self.model.score(inputs, projected=projected), None
        self._history.append((ev.t_ms, ev.t_ms - seg.start_ms, seg.score))
        self._history = self._history[-8:]
        seg.prior = None  # a next word may revive it (`merge_ms`), with this in its past

    def _resume(
        self, ev: FrameEvidence, reason: str, f: _Features, *, rearm: bool = False
    ) -> Decision:
        seg, rise = self.segment, self.settings.rearm_rise_db
        if seg is not None:
            self._remember(ev, seg)
        self.segment = None
        if rearm:
            self._rearm_until = ev.t_ms + self.settings.rearm_ms
            loudest = seg.loudest_db if seg is not None else None
            self._rearm_db = np.inf if rise is None or loudest is None else loudest + rise
        return Decision(verdict=Verdict.RESUME, t_ms=ev.t_ms, reason=reason, features=f)

    def _restart(self, ev: FrameEvidence, f: _Features) -> Decision:
        """A louder sound began inside the candidate: it becomes a candidate of its own (its
        last two frames so far), and the old one is remembered as a resumed one would be."""
        old = self.segment
        assert old is not None  # only from _judge
        self._remember(ev, old)
        new = Segment(start_ms=ev.t_ms - 2 * FRAME_MS, bg_level_db=old.bg_level_db,
                      bg_prob=old.bg_prob)  # fmt: skip
        new.now_ms = ev.t_ms
        new.frames = new.active = 2
        for level in old.levels[-2:]:
            new.add_level(level)
        new.add_probs(ev.probs)
        new.add_shape(_shape(ev))
        self.segment = new
        return Decision(verdict=Verdict.PAUSE, t_ms=ev.t_ms, reason=REONSET, features=f)

    def _confirm(self, ev: FrameEvidence, reason: str, f: _Features) -> Decision:
        self.segment = None
        return Decision(verdict=Verdict.CONFIRM, t_ms=ev.t_ms, reason=reason, features=f)


__all__ = [
    "REONSET",
    "BargeInPolicy",
    "Decision",
    "FrameEvidence",
    "ScoreRequest",
    "Verdict",
    "words_of",
]
