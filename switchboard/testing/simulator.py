"""A simulated Twilio: signed webhooks and a Media Stream over real sockets.

`TwilioSimulator.place_call()` posts the signed Voice webhook, reads the TwiML, and opens the
stream it names with a signed upgrade. The `SimulatedCall` then speaks Twilio's side of the
protocol: `connected`, `start` with the custom parameters, a 20 ms `media` frame per tick (the
caller's audio, or silence, as a phone line sends), `dtmf`, `stop`; it plays agent audio on the
tick clock, echoes each `mark` when its audio has played, honours `clear`, and records both
sides (`PhoneLine.write_wav`). `drop()` kills the socket without `stop` and `reconnect()` follows
the `<Connect action>` path, as Twilio does when a stream dies mid-call.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx
import numpy as np
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from switchboard.testing.phone import PhoneLine
from switchboard.testing.sim_types import (
    SPEECH_LEVEL,
    CallRejected,
    LineTiming,
    SimulatorSettings,
)
from switchboard.testing.twiml import StreamTarget, parse_twiml, sign, voice_webhook_params
from voice.codec import FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, pcm_to_ulaw
from voice.messages import (
    Clear,
    Connected,
    Dtmf,
    DtmfInfo,
    Mark,
    MarkInfo,
    Media,
    MediaInfo,
    OutMedia,
    Start,
    StartInfo,
    Stop,
    StopInfo,
    dump,
    parse_outbound,
)
from voice.speech import Synthesizer

log = logging.getLogger(__name__)


class TwilioSimulator:
    """Places simulated calls against a switchboard server."""

    def __init__(
        self, settings: SimulatorSettings, *, synthesizer: Synthesizer | None = None
    ) -> None:
        self.settings = settings
        self.synthesizer = synthesizer
        self.http = httpx.AsyncClient(timeout=30.0)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def post(
        self, path_or_url: str, params: dict[str, str], *, signature: str | None = None
    ) -> httpx.Response:
        """POST a form as Twilio does, signed with the auth token unless `signature` is given."""
        url = path_or_url
        if not url.startswith("http"):
            url = self.settings.server.rstrip("/") + path_or_url
        sig = signature if signature is not None else sign(self.settings.auth_token, url, params)
        return await self.http.post(url, data=params, headers={"X-Twilio-Signature": sig})

    async def place_call(
        self, *, call_sid: str | None = None, from_: str = "+15551230000", to: str = "+15559870000"
    ) -> SimulatedCall:
        call_sid = call_sid or "CA" + uuid.uuid4().hex
        params = voice_webhook_params(
            call_sid, account_sid=self.settings.account_sid, from_=from_, to=to
        )
        response = await self.post("/twilio/voice", params)
        response.raise_for_status()
        target = parse_twiml(response.text)
        if target.rejected is not None:
            raise CallRejected(call_sid, target.rejected)
        call = SimulatedCall(self, call_sid=call_sid, base_params=params)
        await call.open(target)
        return call


class SimulatedCall:
    """Twilio's side of one call: the stream socket, the tick clock and the handset."""

    def __init__(self, sim: TwilioSimulator, *, call_sid: str, base_params: dict[str, str]) -> None:
        self.sim = sim
        self.call_sid = call_sid
        self._params = base_params
        settings = sim.settings
        self.line = PhoneLine(echo_db=settings.echo_db, echo_delay_ms=settings.echo_delay_ms)
        self.timings: list[LineTiming] = []
        self.stream_sid = ""
        self.target: StreamTarget | None = None
        self._ws: ClientConnection | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._caller: list[np.ndarray] = []  # frames waiting to be "spoken"
        self._speech_end_frame: dict[int, LineTiming] = {}  # frame index -> line ending there
        self._frames_queued = 0
        self._frames_sent = 0
        self._seq = itertools.count(1)
        self._chunk = itertools.count(1)
        self._stream_start = 0
        self._send_lock = asyncio.Lock()
        self._waiting: LineTiming | None = None
        self._all_sent = asyncio.Event()
        self._last_line_end = 0  # call-clock sample where the last caller line ended
        self.started_at = time.monotonic()
        self.closed = False
        self._server_closed = False
        self.clears = 0  # `clear` messages received (barge-in)

    # -- stream lifecycle ------------------------------------------------------------------
    async def open(self, target: StreamTarget) -> None:
        if target.url is None:
            raise RuntimeError(f"call {self.call_sid}: TwiML has no <Connect><Stream>")
        self.target = target
        self._server_closed = False
        self.stream_sid = "MZ" + uuid.uuid4().hex
        self._seq = itertools.count(1)
        self._chunk = itertools.count(1)
        self._stream_start = self.line.samples
        headers = {"X-Twilio-Signature": sign(self.sim.settings.auth_token, target.url)}
        self._ws = await connect(target.url, additional_headers=headers, max_size=2**22)
        await self._send(dump(Connected()))
        start = Start(
            sequenceNumber=str(next(self._seq)),
            streamSid=self.stream_sid,
            start=StartInfo(
                accountSid=self.sim.settings.account_sid,
                callSid=self.call_sid,
                streamSid=self.stream_sid,
                customParameters=target.parameters,
            ),
        )
        await self._send(dump(start))
        self._tasks = [
            asyncio.create_task(self._receive(self._ws)),
            asyncio.create_task(self._tick()),
        ]

    async def _send(self, text: str) -> None:
        if self._ws is None:
            return
        async with self._send_lock:
            await self._ws.send(text)

    async def send_raw(self, text: str | bytes) -> None:
        """Send anything on the stream socket (for protocol tests)."""
        if self._ws is not None:
            async with self._send_lock:
                await self._ws.send(text)

    async def _stop_tasks(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def drop(self) -> None:
        """Kill the stream socket without `stop` (a worker crash or network cut)."""
        await self._stop_tasks()
        if self._ws is not None:
            self._ws.transport.abort()
            self._ws = None
        for name in self.line.clear():  # queued audio dies with the stream
            log.debug("dropped mark %s", name)

    async def reconnect(self) -> StreamTarget:
        """Follow `<Connect action>`: ask the server what to do, open a new stream if told to."""
        if self.target is None or self.target.action is None:
            raise RuntimeError("no <Connect action> to follow")
        params = {**self._params, "CallStatus": "in-progress"}
        response = await self.sim.post(self.target.action, params)
        response.raise_for_status()
        target = parse_twiml(response.text)
        if target.url is not None:
            await self.open(target)
        return target

    @property
    def server_closed(self) -> bool:
        """The server closed the stream socket (e.g. the agent said goodbye)."""
        return self._server_closed or (bool(self._tasks) and self._tasks[0].done())

    async def wait_hung_up(self, *, within: float = 30.0) -> bool:
        """Wait for the server to close the stream, then do as Twilio does: follow the
        `<Connect action>`. True if it answered `<Hangup/>` (the call is then completed)."""
        if self.closed or not self._tasks:
            return self.closed
        done, _ = await asyncio.wait({self._tasks[0]}, timeout=within)
        if not done:
            return False
        self._server_closed = True
        await self._stop_tasks()
        self._ws = None
        target = await self.reconnect()
        if not target.hangup:
            return False
        self.closed = True
        duration = str(int(self.line.samples / SAMPLE_RATE))
        params = {**self._params, "CallStatus": "completed", "CallDuration": duration}
        with contextlib.suppress(httpx.HTTPError):
            await self.sim.post("/twilio/status", params)
        return True

    async def hangup(self) -> None:
        """The caller hangs up: `stop`, close, then the `completed` status callback. If the
        server already closed the stream, follow `<Connect action>` instead (see above)."""
        if self.closed:
            return
        if self.server_closed:
            await self.wait_hung_up()
            return
        self.closed = True
        for task in self._tasks[1:]:  # stop the clock; keep receiving until the server closes
            task.cancel()
        stop = Stop(
            sequenceNumber=str(next(self._seq)),
            streamSid=self.stream_sid,
            stop=StopInfo(accountSid=self.sim.settings.account_sid, callSid=self.call_sid),
        )
        with contextlib.suppress(Exception):
            await self._send(dump(stop))
            # Twilio waits for the server to close after `stop`; so the session is settled
            # before the status callback below.
            await asyncio.wait_for(self._ws.wait_closed(), timeout=10)  # type: ignore[union-attr]
        await self._stop_tasks()
        with contextlib.suppress(Exception):
            await self._ws.close()  # type: ignore[union-attr]
        self._ws = None
        duration = str(int(self.line.samples / SAMPLE_RATE))
        params = {**self._params, "CallStatus": "completed", "CallDuration": duration}
        with contextlib.suppress(httpx.HTTPError):
            await self.sim.post("/twilio/status", params)

    # -- caller side -----------------------------------------------------------------------
    def play(self, pcm: np.ndarray, *, text: str = "") -> LineTiming:
        """Queue caller audio (8 kHz int16) to be sent frame by frame from the next tick."""
        pcm = np.asarray(pcm, dtype=np.int16)
        pad = (-len(pcm)) % FRAME_SAMPLES
        if pad:
            pcm = np.concatenate([pcm, np.zeros(pad, np.int16)])
        frames = pcm.reshape(-1, FRAME_SAMPLES)
        timing = LineTiming(text=text)
        loud = np.flatnonzero(np.abs(frames).max(axis=1) > SPEECH_LEVEL)
        if len(loud):
            self._speech_end_frame[self._frames_queued + int(loud[-1])] = timing
        self._caller.extend(frames)
        self._frames_queued += len(frames)
        self.timings.append(timing)
        return timing

    async def say(self, text: str) -> LineTiming:
        """Synthesise `text` with the simulator's TTS and speak it; returns when sent."""
        if self.sim.synthesizer is None:
            raise RuntimeError("the simulator has no synthesizer for caller lines")
        chunks = [c async for c in self.sim.synthesizer.synthesize(text)]
        timing = self.play(np.concatenate(chunks) if chunks else np.zeros(0, np.int16), text=text)
        await self.until_sent()
        return timing

    async def until_sent(self) -> None:
        """Return once every queued caller frame is out (TimeoutError if the clock stopped)."""
        if (left := self._frames_queued - self._frames_sent) > 0:
            self._all_sent.clear()  # bounded: once the server closes, no frame goes out
            wait_s = left * FRAME_MS / 1000 / min(self.sim.settings.speed, 1.0) + 10.0
            await asyncio.wait_for(self._all_sent.wait(), wait_s)

    async def dtmf(self, digit: str) -> None:
        message = Dtmf(
            sequenceNumber=str(next(self._seq)),
            streamSid=self.stream_sid,
            dtmf=DtmfInfo(digit=digit),
        )
        await self._send(dump(message))

    async def wait_for_agent(
        self,
        *,
        quiet_ms: int = 800,
        within: float = 60.0,
        replied: Callable[[], Awaitable[bool]] | None = None,
    ) -> bool:
        """Wait until the agent has spoken since the last caller line and then gone quiet.

        Silence alone can end the wait inside a reply: when the next sentence's synthesis takes
        longer than `quiet_ms` (a loaded machine, or a simulator running faster than real
        time), the caller would talk into the reply. `replied`, when given, must also say the
        reply is complete (e.g. its `AgentTurn` is recorded) before the silence counts.
        """
        await self.until_sent()
        heard_before = self._last_line_end
        deadline = time.monotonic() + within
        quiet = quiet_ms * SAMPLE_RATE // 1000
        complete = replied is None
        while time.monotonic() < deadline:
            last = self.line.agent_last_at
            spoke = last is not None and last > heard_before
            if self.server_closed:  # the clock stopped: the agent hung up (after speaking?)
                return spoke
            if spoke and not complete and replied is not None:
                complete = await replied()
            if spoke and complete and self.line.agent_silent_for() >= quiet:
                return True
            await asyncio.sleep(FRAME_MS / 1000 / self.sim.settings.speed)
        return False

    # -- the clock -------------------------------------------------------------------------
    async def _tick(self) -> None:
        try:
            await self._run_clock()
        except ConnectionClosed as exc:  # the server went away: the call notices on its own
            log.info("call %s: stream closed by the server: %r", self.call_sid, exc)

    async def _run_clock(self) -> None:
        period = FRAME_MS / 1000 / self.sim.settings.speed
        next_at = time.monotonic()
        while True:
            queued = bool(self._caller)
            frame = self._caller.pop(0) if queued else np.zeros(FRAME_SAMPLES, np.int16)
            frame = self.line.with_echo(frame)
            timestamp = (self.line.samples - self._stream_start) * 1000 // SAMPLE_RATE
            media = Media(
                sequenceNumber=str(next(self._seq)),
                streamSid=self.stream_sid,
                media=MediaInfo(
                    chunk=str(next(self._chunk)),
                    timestamp=str(timestamp),
                    payload=OutMedia.of("", pcm_to_ulaw(frame)).media.payload,
                ),
            )
            await self._send(dump(media))
            if queued:
                index = self._frames_sent
                self._frames_sent += 1
                ending = self._speech_end_frame.pop(index, None)
                if ending is not None:
                    ending.speech_end_at = time.monotonic()
                    self._waiting = ending
                if self._frames_sent == self._frames_queued:
                    self._last_line_end = self.line.samples + FRAME_SAMPLES
                    self._all_sent.set()
            for name in self.line.tick(frame):
                await self._echo(name)
            next_at += period
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def _echo(self, name: str) -> None:
        await self._send(dump(Mark(streamSid=self.stream_sid, mark=MarkInfo(name=name))))

    async def _receive(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                message = parse_outbound(raw)
                if isinstance(message, OutMedia):
                    if self._waiting is not None:
                        self._waiting.first_agent_audio_at = time.monotonic()
                        self._waiting = None
                    self.line.queue_audio(message.audio())
                elif isinstance(message, Mark):
                    for name in self.line.queue_mark(message.mark.name):
                        await self._echo(name)
                elif isinstance(message, Clear):
                    self.clears += 1
                    for name in self.line.clear():
                        await self._echo(name)
        except Exception as exc:  # the server closed or died: the call notices on its own
            log.info("call %s: stream receive ended: %r", self.call_sid, exc)


__all__ = [
    "CallRejected",
    "LineTiming",
    "SimulatedCall",
    "SimulatorSettings",
    "TwilioSimulator",
]
