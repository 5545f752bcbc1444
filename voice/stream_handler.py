"""One Media Streams WebSocket: protocol state, the session lease, and the call loop.

Messages that cannot be used (malformed JSON, unknown events, bad base64, oversized frames,
media before `start`) are logged and skipped; the call goes on. `stop` ends the session. A socket
that drops without `stop` releases the lease and leaves the session live, so Twilio's
`<Connect action>` brings the call back on a new stream (on any worker), which takes the lease
over and resumes with the same agent and slots.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from typing import TYPE_CHECKING

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from backplane import BackplaneError, SessionStatus
from voice.call import CallLoop
from voice.capacity import StreamPace
from voice.errors import ProtocolError
from voice.events import StreamEnded, StreamStarted
from voice.messages import Connected, Dtmf, Mark, Media, Start, Stop, parse_inbound

if TYPE_CHECKING:
    from backplane import OwnedSession
    from voice.app import VoiceServer

log = logging.getLogger(__name__)


class StreamState(enum.Enum):
    CONNECTED = "connected"  # socket open, no `start` yet
    STARTED = "started"  # call loop running
    CLOSED = "closed"


class StreamHandler:
    """Serves one accepted Media Streams socket until it closes."""

    def __init__(self, server: VoiceServer, websocket: WebSocket) -> None:
        self.server = server
        self.ws = websocket
        self.state = StreamState.CONNECTED
        self.stream_sid = ""
        self.session: OwnedSession | None = None
        self.loop: CallLoop | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._receiving: asyncio.Task[str] | None = None  # set while waiting for a message
        self._loop_ended = False
        self._send_lock = asyncio.Lock()
        self._gone = False  # the socket closed under a send
        self._skipped = 0
        self._pace = StreamPace()  # how late this stream's frames reach us (`voice.capacity`)

    async def send(self, text: str) -> None:
        if self._gone:
            return
        async with self._send_lock:  # the sender task and barge-in both write
            try:
                await self.ws.send_text(text)
            except WebSocketDisconnect:
                # The caller hung up (or the line dropped) mid-reply: how calls end, not a
                # fault. The receive loop sees the disconnect and finishes the call; until then
                # there is no one to send to.
                self._gone = True
                log.info("stream %s: the line closed while sending", self.stream_sid or "?")

    async def run(self) -> None:
        reason = "socket closed without stop"
        try:
            reason = await self._receive()
        except Exception:
            log.exception("stream %s: handler failed", self.stream_sid or "?")
            reason = "handler error"
        finally:
            self.state = StreamState.CLOSED
            await self._finish(reason)
            if self.ws.application_state is WebSocketState.CONNECTED:
                with contextlib.suppress(Exception):
                    await self.ws.close()

    async def _receive(self) -> str:
        while True:
            if self._loop_task is not None and self._loop_task.done():
                ended = self.loop is not None and self.loop.ended
                with contextlib.suppress(Exception):
                    await self.ws.close(code=1000 if ended else 1011)
                # The agent said goodbye and ended the session: the `<Connect action>` request
                # that follows the close finds it ended and answers `<Hangup/>`.
                return "agent ended the call" if ended else "call loop ended"
            # Wait for the next message itself: a task and an asyncio.wait per message (to
            # also notice the call loop ending) cost more than the frame's barge-in check.
            # The loop's end interrupts this wait instead (`_loop_done`).
            self._receiving = asyncio.current_task()
            try:
                message = await self.ws.receive()
            except asyncio.CancelledError:
                task = self._receiving
                if not self._loop_ended or task is None or task.uncancel() > 0:
                    raise  # cancelled from outside: not ours to swallow
                continue
            finally:
                self._receiving = None
            if message["type"] == "websocket.disconnect":
                return "socket closed without stop"
            raw = message.get("text")
            if raw is None:
                raw = message.get("bytes") or b""
            try:
                parsed = parse_inbound(raw)
            except ProtocolError as exc:
                self._skip(str(exc))
                continue
            if isinstance(parsed, Stop):
                return "stop"
            if isinstance(parsed, Start) and self.state is StreamState.CONNECTED:
                try:
                    await self._start(parsed)
                except (BackplaneError, ProtocolError) as exc:
                    log.warning("stream %s: start refused: %s", self.stream_sid or "?", exc)
                    return "start refused"
                continue
            if self.session is not None and self.session.lost:
                log.warning("stream %s: another worker took the session over", self.stream_sid)
                return "lease taken over"
            await self._dispatch(parsed)

    def _loop_done(self, _task: asyncio.Task[None]) -> None:
        """The call loop ended: stop waiting for a message (the receive loop then closes)."""
        self._loop_ended = True
        if self._receiving is not None:
            self._receiving.cancel()

    def _skip(self, why: str) -> None:
        self._skipped += 1
        log.warning("stream %s: skipped a message: %s", self.stream_sid or "?", why)

    async def _dispatch(self, message: object) -> None:
        if isinstance(message, Connected):
            return
        if isinstance(message, Start):
            self._skip("a second start")
            return
        if self.loop is None:
            self._skip(f"{getattr(message, 'event', '?')} before start")
            return
        if isinstance(message, Media):
            if message.media.track not in ("inbound", "inbound_track"):
                return
            try:
                audio = message.audio()
            except ProtocolError as exc:
                self._skip(str(exc))
                return
            lag = self.server.capacity.lag
            now = lag.clock()
            lag.record(now, self._pace.late_s(message.timestamp_ms, now))
            await self.loop.on_media(audio, message.timestamp_ms)
        elif isinstance(message, Mark):
            self.loop.on_mark(message.mark.name)
        elif isinstance(message, Dtmf):
            await self.loop.on_dtmf(message.dtmf.digit)

    async def _start(self, message: Start) -> None:
        server = self.server
        info = message.start
        self.stream_sid = message.stream_sid or info.stream_sid
        session_id = info.custom_parameters.get("session") or info.call_sid
        snap = await server.backplane.snapshot(session_id)  # SessionNotFound ends the stream
        if snap.status == SessionStatus.ENDED:
            raise ProtocolError(f"session {session_id} has ended", event="start")
        # Take the lease over: the previous stream's worker may be gone or still holding it.
        session = await server.backplane.acquire(
            session_id, owner=server.settings.worker_id, takeover=True
        )
        self.session = session
        events = await server.backplane.read_events(session_id)
        resumed = any(isinstance(e, StreamStarted) for e in events)
        await session.append(
            StreamStarted(stream_sid=self.stream_sid, worker=session.owner, resumed=resumed)
        )
        agent = await server.agents(session, resumed=resumed)
        hook = server.hooks(session_id) if server.hooks is not None else None
        self.loop = CallLoop(
            session=session,
            agent=agent,
            recognizer=server.recognizer.open(),
            synthesizer=server.synthesizer,
            stream_sid=self.stream_sid,
            send=self.send,
            settings=server.settings.call,
            hook=hook,
            on_timing=server.on_timing,
        )
        server.calls[session_id] = self.loop
        self.state = StreamState.STARTED
        self._loop_task = asyncio.create_task(self.loop.run(greet=not resumed))
        self._loop_task.add_done_callback(self._loop_done)
        log.info("stream %s: call %s started (resumed=%s)", self.stream_sid, session_id, resumed)

    async def _finish(self, reason: str) -> None:
        if self.loop is not None:
            self.loop.stop()
        if self._loop_task is not None:
            with contextlib.suppress(BaseException):
                await self._loop_task
        session = self.session
        if session is None:
            return
        if self.server.calls.get(session.session_id) is self.loop:
            del self.server.calls[session.session_id]
        log.info("stream %s: closed (%s)", self.stream_sid, reason)
        if self.loop is not None and self.loop.ended:
            return  # the agent ended the session, which takes no more writes (lease is free)
        try:
            await session.append(StreamEnded(stream_sid=self.stream_sid, reason=reason))
            if reason == "stop":
                await session.end("caller hung up")
            else:
                await session.release()  # the session stays live for a reconnecting stream
        except BackplaneError as exc:
            log.warning("stream %s: could not record the end: %s", self.stream_sid, exc)
            with contextlib.suppress(BackplaneError):
                await session.release()


__all__ = ["StreamHandler", "StreamState"]
