"""The barge-in controller: one small state machine per call, active while the agent speaks.

Every inbound frame goes echo canceller -> energy + DTMF -> Silero (batched, off the loop) ->
`BargeInPolicy`. A candidate onset pauses playout at once (Twilio `clear`, heard position kept
to the frame); the candidate is then confirmed (reply cancelled, history cut to the heard text,
caller gets the turn) or resumed from the heard position. Each decision is a typed action, a
`BargeInDecision` event in the session stream (written by the call's `DecisionLog`, so the
frame path never waits on Redis) and an OpenTelemetry span.
"""

from __future__ import annotations

import asyncio
import collections
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import numpy as np
from opentelemetry import trace

from backplane.events import BargeInDecision
from voice.bargein_asides import Asides
from voice.bargein_batch import BatchScorer, shared_scorer
from voice.bargein_echo import judge_echo
from voice.bargein_listen import CandidateListener, SegmentRecognizer
from voice.bargein_model import SegmentModel
from voice.bargein_policy import (
    REONSET,
    BargeInPolicy,
    Decision,
    FrameEvidence,
    ScoreRequest,
    Verdict,
)
from voice.bargein_record import DecisionLog
from voice.bargein_settings import BargeInSettings
from voice.codec import FRAME_MS, FRAME_SAMPLES
from voice.errors import BargeInStateError
from voice.frontend import CallFront, SharedFrontEnd, shared_frontend
from voice.hooks import InboundFrame, PlayoutControl, speaking_agent
from voice.playout import PlayoutState
from voice.silero import SharedSilero, SileroStream, shared_silero
from voice.speech import Transcript

log = logging.getLogger(__name__)
_tracer = trace.get_tracer("switchboard.voice.bargein")
_PREROLL_FRAMES = 10  # audio kept before a candidate, so recognition hears its start


class BargeInState(enum.Enum):
    IDLE = "idle"  # the agent is not speaking: nothing to interrupt
    LISTENING = "listening"  # the agent speaks; watching for an onset
    PAUSED = "paused"  # playout cleared; deciding
    CONFIRMED = "confirmed"  # the caller took the turn; waits for the next reply


_ALLOWED = {
    (BargeInState.IDLE, BargeInState.LISTENING),
    (BargeInState.LISTENING, BargeInState.IDLE),
    (BargeInState.LISTENING, BargeInState.PAUSED),
    (BargeInState.PAUSED, BargeInState.LISTENING),
    (BargeInState.PAUSED, BargeInState.CONFIRMED),
    (BargeInState.PAUSED, BargeInState.IDLE),
    (BargeInState.CONFIRMED, BargeInState.IDLE),
    (BargeInState.CONFIRMED, BargeInState.LISTENING),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Pause:
    t_ms: int
    heard_ms: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Resume:
    t_ms: int
    from_ms: int  # the reply continues from here (= the pause's heard position)


@dataclass(frozen=True, kw_only=True, slots=True)
class Confirm:
    t_ms: int
    heard_ms: int
    heard_text: str


BargeInAction = Pause | Resume | Confirm


DecisionSink = Callable[[BargeInDecision], Awaitable[object]]


class BargeInController:
    """Implements the call loop's `InboundHook` for one call."""

    def __init__(
        self,
        settings: BargeInSettings | None = None,
        *,
        silero: SharedSilero | None = None,
        frontend: SharedFrontEnd | None = None,
        recognizer: SegmentRecognizer | None = None,
        sink: DecisionSink | None = None,
        replay: bool = False,
        settings_for: Callable[[str | None], BargeInSettings] | None = None,
        model: SegmentModel | None = None,
        scorer: BatchScorer | None = None,
        replay_decode_ms: float | None = None,
    ) -> None:
        """`replay=True` is for offline runs that feed frames faster than real time: each
        recognition is awaited and its words reach the policy on the frame where a live decode
        would have finished (request time + measured decode time), so results do not depend on
        how fast the frames came; `replay_decode_ms` fixes that decode time (reproducible runs
        on any machine).

        `settings_for(agent)` gives the settings of the agent whose reply starts playing
        (`voice.hooks.speaking_agent`); it is asked once per reply, never per frame, so a
        handoff changes the tuning from the new agent's first reply on."""
        self.settings = settings or BargeInSettings()
        self.policy = BargeInPolicy(self.settings, model=model)
        self._settings_for = settings_for
        self.state = BargeInState.IDLE
        self.actions: list[BargeInAction] = []
        self._silero = silero or shared_silero()
        self._stream = SileroStream()
        self._pending: collections.deque[asyncio.Future[list[float]]] = collections.deque()
        self._front = frontend or shared_frontend()
        self._scorer = scorer or shared_scorer()
        self._call = CallFront()
        self._words = CandidateListener(recognizer, replay=replay, decode_ms=replay_decode_ms)
        self._sink = sink
        self.decisions = DecisionLog()
        """Decisions on their way to the session (written off the frame path)."""
        self._heard_ms = 0
        self._candidate_ms = 0  # the open candidate's start
        self.asides = Asides()
        """The candidates decided lately, against which finals are checked (`is_turn`)."""
        self._recent: list[np.ndarray] = []
        self._replay = replay
        self._silence = np.zeros(FRAME_SAMPLES, np.int16)
        self._last_pcm = self._silence
        self._cleaned_at: int | None = None  # timestamp of the frame `_last_pcm` came from
        self._residue = False  # `_last_pcm` holds only what the canceller left of the agent

    @property
    def recognitions_total(self) -> int:
        """Candidate recognitions asked for on this call."""
        return self._words.recognitions_total

    @property
    def decode_ms(self) -> list[float]:
        """Decode time of each recognition that finished (for benchmarks)."""
        return self._words.decode_ms

    # -- the InboundHook protocol ---------------------------------------------------------
    async def on_frame(self, frame: InboundFrame, playout: PlayoutControl) -> BargeInAction | None:
        # A detector fault is contained by the call loop (CallLoop._contain), for every hook.
        ev = await self.analyse(frame)
        if ev.active and not ev.echo:  # caller sound, for the turn check on finals (`is_turn`)
            self.asides.sound(ev.t_ms)
        if self._settings_for is not None and self._starting(playout.state):
            self.use_settings(self._settings_for(speaking_agent(playout)))
        self._sync(playout.state)
        if self.state not in (BargeInState.LISTENING, BargeInState.PAUSED):
            return None
        if self.state is BargeInState.PAUSED:
            heard = await self._words.collect(self._t_ms)
            if heard is not None:
                self.policy.hear(heard)
        decision = self.policy.begin(ev)
        if isinstance(decision, ScoreRequest):  # one run with the other calls' of this iteration
            score = await self._scorer.score(self.policy.model, decision.inputs)
            decision = self.policy.finish(score)
        if self.state is BargeInState.PAUSED and decision is None:
            self._words.add(
                self._last_pcm,
                voiced_ms=self.policy.voiced_ms(),
                t_ms=self._t_ms,
                settings=self.settings,
            )
        if decision is None:
            return None
        return await self._act(decision, playout)

    async def on_transcript(self, transcript: Transcript, playout: PlayoutControl) -> None:
        # the call's own recogniser is slower than the candidate check; its words still count
        if self.state is BargeInState.PAUSED and transcript.text and self._words.recognizer is None:
            self.policy.hear_words(transcript.text)

    def cleaned(self, frame: InboundFrame) -> np.ndarray | None:
        """This frame with the agent's echo removed (what every detector here heard), for the
        call's recogniser: silence where only echo residue is left; None if not analysed."""
        if self._cleaned_at != frame.timestamp_ms:
            return None
        return self._silence if self._residue else self._last_pcm

    def is_turn(self, transcript: Transcript) -> bool:
        """Is this final the caller's turn, or something said under the agent's voice that
        was resumed (a backchannel, a cough)? The call loop asks before answering it."""
        s = self.settings
        return self.asides.is_turn(transcript, not_a_request=s.backchannels | s.function_words)

    async def on_dtmf(self, digit: str, playout: PlayoutControl) -> None:
        """Twilio reported a key press: a keypad tone is never an interruption."""
        if self.state is BargeInState.PAUSED:
            d = Decision(verdict=Verdict.RESUME, t_ms=self._t_ms, reason="dtmf event")
            self.policy.reset()
            await self._act(d, playout)

    # -- analysis -------------------------------------------------------------------------
    async def analyse(self, frame: InboundFrame) -> FrameEvidence:
        """Echo-cancel and measure one frame (numpy only on the loop; Silero off it)."""
        # every detector works on whole 20 ms frames; the playout estimate of what the caller
        # was hearing can be short at the end of a reply
        mic = _fit(frame.pcm)
        far = _fit(frame.outbound) if frame.outbound is not None else self._silence
        self._call.want_shape = self._shape_wanted()
        if frame.echo_realign:
            log.debug("echo reference realigned by %d samples", frame.echo_realign)
            self._call.aec.realign(frame.echo_realign)
        front = await self._front.analyse(self._call, mic, far)
        pcm = front.pcm
        self._last_pcm = pcm
        self._cleaned_at = frame.timestamp_ms
        echo = judge_echo(front, self.settings.echo_coherence)
        self._residue = echo.residue
        self._recent = [*self._recent[-(_PREROLL_FRAMES - 1) :], pcm]
        probs = await self._voice_probs()
        pending = self._silero.submit(self._stream, pcm)
        if pending is not None:
            self._pending.append(pending)
        self._t_ms = frame.timestamp_ms + FRAME_MS
        return FrameEvidence(
            t_ms=self._t_ms,
            level_db=front.level_db,
            active=front.active,
            probs=tuple(probs),
            dtmf=front.dtmf,
            echo=echo.echo,
            frames=tuple(self._recent[-2:]),
            shape=front.shape,
        )

    def _shape_wanted(self) -> bool | None:
        """Which frames the policy will measure the shape of (batched in the front end; any
        it then lacks, it measures itself): every frame of a candidate, and a listening frame
        that may start one."""
        if self.state is BargeInState.PAUSED:
            return True
        if self.state is BargeInState.LISTENING:
            return True if self.policy.voice_likely() else None
        return False

    async def _voice_probs(self) -> list[float]:
        """Silero probabilities that are ready: each frame's windows are scored in the shared
        batch of the next tick, so they reach the policy a frame or more later. Live, a batch
        not done yet is left for a later frame (the frame path never waits on the model); in
        replay, the previous frame's batch is awaited so runs are deterministic."""
        probs: list[float] = []
        while self._pending and (self._replay or self._pending[0].done()):
            probs += await self._pending.popleft()
        return probs

    # -- state ----------------------------------------------------------------------------
    def _move(self, to: BargeInState) -> None:
        if (self.state, to) not in _ALLOWED:
            log.error("barge-in: impossible transition %s -> %s", self.state.value, to.value)
            raise BargeInStateError(self.state.value, f"go to {to.value}")
        self.state = to

    def _starting(self, playing: PlayoutState) -> bool:
        """A reply has started playing and `_sync` is about to start listening to it."""
        idle = self.state in (BargeInState.IDLE, BargeInState.CONFIRMED)
        return idle and playing is PlayoutState.PLAYING

    def use_settings(self, settings: BargeInSettings) -> None:
        """Tune for the next reply (only between replies: a candidate keeps its settings)."""
        # the policy reads its settings on every frame; swapping them (rather than building a
        # new policy) keeps its call-long state, e.g. the re-arm window after a noise resume
        self.settings = self.policy.settings = settings

    def _sync(self, playing: PlayoutState) -> None:
        """Follow the agent: listen while a reply plays, stand down when it ends."""
        if playing is PlayoutState.PLAYING and self.state in (
            BargeInState.IDLE,
            BargeInState.CONFIRMED,
        ):
            self.policy.reset()
            self._move(BargeInState.LISTENING)
        elif playing is PlayoutState.IDLE and self.state is BargeInState.LISTENING:
            self.policy.reset()
            self._move(BargeInState.IDLE)

    async def _act(self, d: Decision, playout: PlayoutControl) -> BargeInAction | None:
        action: BargeInAction
        if d.verdict is Verdict.PAUSE:
            if self.state is BargeInState.PAUSED and d.reason == REONSET:
                # a new candidate in the same pause: its own words, no second `clear`, and
                # the reply still resumes from where the caller stopped hearing it
                self._words.cancel()
            elif self.state is BargeInState.LISTENING:
                self._heard_ms = await playout.pause()
                self._move(BargeInState.PAUSED)
            else:
                return None  # never a second `clear` for the same candidate
            self._words.start(self._recent)
            segment = self.policy.segment
            self._candidate_ms = segment.start_ms if segment is not None else d.t_ms
            action = Pause(t_ms=d.t_ms, heard_ms=self._heard_ms)
        elif d.verdict is Verdict.RESUME:
            if self.state is not BargeInState.PAUSED:
                return None
            self._words.cancel()
            await playout.resume()
            self._move(BargeInState.LISTENING)
            self.asides.resumed(
                self._candidate_ms,
                d.t_ms,
                d.reason,
                d.features,
                words_after_ms=self.settings.words_after_ms,
            )
            action = Resume(t_ms=d.t_ms, from_ms=self._heard_ms)
        else:
            if self.state is not BargeInState.PAUSED:
                return None
            self._words.cancel()
            text = await playout.interrupt()
            self._move(BargeInState.CONFIRMED)
            self.asides.record(self._candidate_ms, d.t_ms, confirmed=True, reason=d.reason)
            action = Confirm(t_ms=d.t_ms, heard_ms=self._heard_ms, heard_text=text)
        self.actions.append(action)
        await self._record(d, playout)
        return action

    async def _record(self, d: Decision, playout: PlayoutControl) -> None:
        event = BargeInDecision(
            decision=d.verdict.value,
            t_ms=d.t_ms,
            heard_ms=self._heard_ms,
            reason=d.reason,
            features=dict(d.features),
        )
        attrs = {
            "barge_in.decision": d.verdict.value,
            "barge_in.t_ms": d.t_ms,
            "barge_in.heard_ms": self._heard_ms,
            "barge_in.reason": d.reason,
        }
        with _tracer.start_as_current_span("barge_in", attributes=attrs):
            if self._sink is not None:
                await self._sink(event)
            else:
                session = _session_of(playout)
                if session is not None:  # written by the call's log task, in order
                    self.decisions.put(session, event)  # type: ignore[arg-type]

    async def close(self) -> None:
        """The call is ending: write the decisions still queued (the call loop awaits this
        before it gives up the session)."""
        await self.decisions.close()


def _fit(pcm: np.ndarray) -> np.ndarray:
    """Exactly one frame of int16 samples (zero-padded or cut)."""
    pcm = np.asarray(pcm, np.int16)
    if len(pcm) == FRAME_SAMPLES:
        return pcm
    out = np.zeros(FRAME_SAMPLES, np.int16)
    out[: min(len(pcm), FRAME_SAMPLES)] = pcm[:FRAME_SAMPLES]
    return out


def _session_of(playout: PlayoutControl) -> object | None:
    try:
        return playout.session
    except (AttributeError, LookupError):
        return None


__all__ = [
    "BargeInAction",
    "BargeInController",
    "BargeInState",
    "Confirm",
    "Pause",
    "Resume",
    "SegmentRecognizer",
]
