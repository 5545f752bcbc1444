"""The call loop: caller audio → STT with end of turn → CallAgent → TTS → paced audio out.

One `CallLoop` per live Media Stream. The stream handler feeds it decoded frames, marks and DTMF
from the receive task, which never waits on a model: frames are queued to a recognizer task, and
replies are produced by a turn task, so a slow model never stalls marks or barge-in. Without a
barge-in hook the call is half-duplex: a caller turn that ends while the agent is speaking waits
for the reply to finish. With one, the hook may pause, resume or interrupt the reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from voice.codec import ulaw_to_pcm
from voice.events import CallerAside
from voice.hooks import InboundFrame, InboundHook
from voice.outbound import Outbound, Send
from voice.playout import Playout, PlayoutSettings, PlayoutState
from voice.speech import RecognizerStream, Synthesizer, Transcript
from voice.turns import CallAgent, agent_ended

if TYPE_CHECKING:
    from backplane import OwnedSession

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True, slots=True)
class CallSettings:
    """Tuning of one call's loop."""

    playout: PlayoutSettings = field(default_factory=PlayoutSettings)
    max_queued_frames: int = 1500
    """Caller frames buffered for the recognizer (30 s) before frames are dropped."""


@dataclass(frozen=True, kw_only=True, slots=True)
class TurnTiming:
    """Where one turn's latency went (monotonic seconds; None where unknown)."""

    session_id: str
    caller_text: str
    endpoint_at: float | None  # the recognizer decided the caller's turn had ended
    final_at: float  # the final transcript reached the call loop
    first_text_at: float | None  # the agent's first reply text
    first_tts_at: float | None  # the first synthesised audio of the reply
    first_audio_at: float | None  # the first media chunk was sent to Twilio
    speech_end_ms: int | None = None  # stream time of the caller's last speech sample


class CallLoop:
    """Runs one call's conversation over one Media Stream; also the hook's `PlayoutControl`."""

    def __init__(
        self,
        *,
        session: OwnedSession,
        agent: CallAgent,
        recognizer: RecognizerStream,
        synthesizer: Synthesizer,
        stream_sid: str,
        send: Send,
        settings: CallSettings | None = None,
        hook: InboundHook | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_timing: Callable[[TurnTiming], None] | None = None,
    ) -> None:
        self.settings = settings or CallSettings()
        self._session = session
        self.agent = agent
        self._stt = recognizer
        self._hook = hook
        # optional hook parts, looked up once: `cleaned` runs on every frame
        self._cleaner = getattr(hook, "cleaned", None)
        self._turn_check = getattr(hook, "is_turn", None)
        self._clock = clock
        self._on_timing = on_timing
        self.outbound = Outbound(
            stream_sid=stream_sid,
            send=send,
            synthesizer=synthesizer,
            playout=Playout(self.settings.playout, clock=clock),
            clock=clock,
        )
        self._frames: asyncio.Queue[InboundFrame] = asyncio.Queue(self.settings.max_queued_frames)
        self._turns: asyncio.Queue[Transcript] = asyncio.Queue()
        self._reply: asyncio.Task[str] | None = None
        self._stopped = asyncio.Event()
        self.ended = False  # the agent ended the call and its last reply has played
        self.transcript: list[tuple[str, str]] = []  # ("caller"|"agent", text), for logs/tests

    # -- PlayoutControl --------------------------------------------------------------------
    @property
    def state(self) -> PlayoutState:
        return self.outbound.playout.state

    @property
    def session(self) -> OwnedSession:
        return self._session

    @property
    def speaking_agent(self) -> str | None:
        """The agent in charge (the orchestrator's `Conversation.agent`), read by the barge-in
        hook when a reply starts playing; None when the `CallAgent` has no name."""
        name = getattr(self.agent, "agent", None)
        return name if isinstance(name, str) else None

    def heard_ms(self) -> int:
        return self.outbound.playout.heard_ms()

    def heard_text(self) -> str:
        return self.outbound.playout.heard_text()

    async def pause(self) -> int:
        return await self.outbound.pause()

    async def resume(self) -> None:
        await self.outbound.resume()

    async def interrupt(self) -> str:
        heard = await self.outbound.stop_playing()
        if self._reply is not None and not self._reply.done():
            self._reply.cancel()
        self.transcript.append(("agent", heard + " [interrupted]"))
        await self.agent.on_interrupted(heard)
        return heard

    # -- inbound (called from the stream's receive task) -----------------------------------
    async def on_media(self, ulaw: bytes, timestamp_ms: int) -> None:
        pcm = ulaw_to_pcm(ulaw)
        self.outbound.playout.on_media(timestamp_ms)
        echo = self.outbound.playout.recent_audio(len(pcm))
        frame = InboundFrame(
            pcm=pcm,
            timestamp_ms=timestamp_ms,
            received_at=self._clock(),
            outbound=ulaw_to_pcm(echo) if echo else None,
            echo_realign=self.outbound.playout.take_moved(),
        )
        if self._hook is not None:
            await self._contain(self._hook.on_frame(frame, self), "frame")
            frame = self._cleaned(frame)
        try:
            self._frames.put_nowait(frame)
        except asyncio.QueueFull:
            log.warning("call %s: recognizer is behind; dropped a frame", self._session.session_id)

    def on_mark(self, name: str) -> None:
        self.outbound.on_mark(name)

    async def on_dtmf(self, digit: str) -> None:
        if self._hook is not None:
            await self._contain(self._hook.on_dtmf(digit, self), "dtmf")

    async def _contain(self, call: Awaitable[object], what: str) -> None:
        """Run one hook call; a hook fault is logged and the call goes on (half-duplex at
        worst) rather than ending the stream's receive task."""
        try:
            await call
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("call %s: inbound hook failed on %s", self._session.session_id, what)

    def _cleaned(self, frame: InboundFrame) -> InboundFrame:
        """The frame as the recogniser should hear it: with the agent's echo removed when the
        hook removed it (optional `cleaned`), so the agent's own words never become a turn."""
        if self._cleaner is None:
            return frame
        try:
            pcm = self._cleaner(frame)
        except Exception:
            log.exception("call %s: inbound hook failed on cleaned", self._session.session_id)
            return frame
        if pcm is None:
            return frame
        # built directly: dataclasses.replace costs several times more, on every frame
        return InboundFrame(
            pcm=pcm,
            timestamp_ms=frame.timestamp_ms,
            received_at=frame.received_at,
            outbound=frame.outbound,
        )

    def _is_turn(self, transcript: Transcript) -> bool:
        """Whether a final is the caller's turn: the hook's optional `is_turn` may say it was
        said under the agent's voice and let pass (a backchannel); a hook fault keeps it."""
        if self._turn_check is None:
            return True
        try:
            return bool(self._turn_check(transcript))
        except Exception:
            log.exception("call %s: inbound hook failed on is_turn", self._session.session_id)
            return True

    async def _set_aside(self, turn: Transcript) -> None:
        sid = self._session.session_id
        log.info("call %s: not a turn (said under the agent): %s", sid, turn.text.strip())
        aside = CallerAside(
            text=turn.text.strip(),
            speech_start_ms=turn.speech_start_ms,
            speech_end_ms=turn.speech_end_ms,
        )
        try:  # for replay only: the call goes on without it
            await self._session.append(aside)
        except Exception:
            log.warning("call %s: could not record an aside", sid, exc_info=True)

    def stop(self) -> None:
        self._stopped.set()

    # -- tasks -----------------------------------------------------------------------------
    async def run(self, *, greet: bool) -> None:
        """Run until `stop()` (or cancellation); cleans up its tasks either way."""
        tasks = [
            asyncio.create_task(self.outbound.run(), name="outbound"),
            asyncio.create_task(self._recognize(), name="recognize"),
            asyncio.create_task(self._converse(greet), name="converse"),
        ]
        stopper = asyncio.create_task(self._stopped.wait())
        try:
            done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task is not stopper and not task.cancelled() and task.exception():
                    log.error(
                        "call %s: %s failed",
                        self._session.session_id,
                        task.get_name(),
                        exc_info=task.exception(),
                    )
        finally:
            for task in [*tasks, stopper]:
                task.cancel()
            await asyncio.gather(*tasks, stopper, return_exceptions=True)
            close = getattr(self._hook, "close", None)  # optional: `InboundHook.close`
            if close is not None:
                await self._contain(close(), "close")
            with contextlib.suppress(Exception):
                await self._stt.close()

    async def _recognize(self) -> None:
        while True:
            frame = await self._frames.get()
            chunk = [frame.pcm]
            while not self._frames.empty() and len(chunk) < 25:  # catch up in one call
                chunk.append(self._frames.get_nowait().pcm)
            pcm = chunk[0] if len(chunk) == 1 else np.concatenate(chunk)
            for result in await self._stt.feed(pcm):
                if self._hook is not None:
                    await self._contain(self._hook.on_transcript(result, self), "transcript")
                if result.final and result.text.strip():
                    self._turns.put_nowait(result)

    async def _converse(self, greet: bool) -> None:
        if greet:
            await self._speak(self.agent.greeting())
        while True:
            turn = await self._turns.get()
            final_at = self._clock()
            text = turn.text.strip()
            if not self._is_turn(turn):
                await self._set_aside(turn)
                continue
            self.transcript.append(("caller", text))
            log.info("call %s: caller: %s", self._session.session_id, text)
            await self._speak(self.agent.respond(text))
            if agent_ended(self.agent):
                # The farewell has played (speak returns once every mark is back): returning
                # ends `run`, and the stream handler closes the stream, which hangs up.
                self.ended = True
                log.info("call %s: the agent ended the call", self._session.session_id)
                return
            if self._on_timing is not None:
                out = self.outbound
                self._on_timing(
                    TurnTiming(
                        session_id=self._session.session_id,
                        caller_text=text,
                        endpoint_at=turn.endpoint_at,
                        final_at=final_at,
                        first_text_at=out.first_text_at,
                        first_tts_at=out.first_tts_at,
                        first_audio_at=out.first_audio_at,
                        speech_end_ms=turn.speech_end_ms,
                    )
                )

    async def _speak(self, texts: AsyncIterator[str]) -> None:
        self._reply = asyncio.create_task(self.outbound.speak(texts))
        try:
            said = await self._reply
        except asyncio.CancelledError:
            if self._reply.cancelled() and not self._stopped.is_set():
                return  # interrupted by the caller: the hook already recorded what was heard
            raise
        finally:
            self._reply = None
        if said:
            self.transcript.append(("agent", said))
            log.info("call %s: agent: %s", self._session.session_id, said)


__all__ = ["CallLoop", "CallSettings", "TurnTiming"]
