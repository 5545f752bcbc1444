"""The Twilio-facing FastAPI app: webhooks, the Media Streams socket, and what they share."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import FastAPI, WebSocket
from fastapi.responses import JSONResponse

from backplane import Backplane, BackplaneError
from voice.call import CallLoop, TurnTiming
from voice.capacity import Capacity
from voice.config import VoiceSettings
from voice.errors import SignatureError
from voice.events import CallStatus
from voice.hooks import InboundHookFactory
from voice.http_routes import STREAM_PATH, build_router, record_status_unowned
from voice.signature import HEADER, SignatureChecker
from voice.speech import Recognizer, Synthesizer
from voice.stream_handler import StreamHandler
from voice.turns import CallAgentFactory

log = logging.getLogger(__name__)


@dataclass(kw_only=True, slots=True, eq=False)
class VoiceServer:
    """Everything the routes and streams of one process share."""

    settings: VoiceSettings
    backplane: Backplane
    agents: CallAgentFactory
    recognizer: Recognizer
    synthesizer: Synthesizer
    entry_agent: str
    """The agent a new call starts with (the team's reception)."""
    hooks: InboundHookFactory | None = None
    """Per-call inbound hook (barge-in); None = half-duplex calls."""
    on_timing: Callable[[TurnTiming], None] | None = None
    """Receives each turn's latency breakdown (benchmarks, metrics)."""
    calls: dict[str, CallLoop] = field(default_factory=dict)
    """Live calls in this process, by session ID."""
    checker: SignatureChecker = field(init=False)
    capacity: Capacity = field(init=False)
    """Whether this process takes another call (`voice.capacity`)."""

    def __post_init__(self) -> None:
        self.checker = SignatureChecker(self.settings)
        self.capacity = Capacity(self.settings.capacity, lambda: self.calls.keys())

    async def record_status(self, call_sid: str, event: CallStatus, *, final: bool) -> None:
        live = self.calls.get(call_sid)
        if live is not None:
            try:
                await live.session.append(event)
            except BackplaneError as exc:
                log.warning("call %s: status %s not recorded: %s", call_sid, event.status, exc)
            if final:
                live.stop()  # the stream handler ends the session when its socket closes
            return
        await record_status_unowned(self, call_sid, event)


def create_app(server: VoiceServer) -> FastAPI:
    """The FastAPI app serving Twilio for `server`."""
    app = FastAPI(title="switchboard voice", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.voice = server
    app.include_router(build_router(server))

    @app.websocket(STREAM_PATH)
    async def media_stream(websocket: WebSocket) -> None:
        # Twilio signs the upgrade: the wss:// URL, no parameters. Refuse before accepting,
        # which answers the upgrade with 403.
        seen = f"{websocket.url.scheme}://{websocket.url.netloc}"
        url = server.checker.public_url(
            websocket.url.path, websocket.url.query, websocket=True, seen=seen
        )
        try:
            server.checker.check(url, {}, websocket.headers.get(HEADER))
        except SignatureError as exc:
            log.warning("403 on stream upgrade: %s", exc)
            await websocket.close(code=1008)
            return
        await websocket.accept()
        await StreamHandler(server, websocket).run()

    @app.get("/healthz")
    async def healthz() -> dict[str, object]:
        """Liveness: the process answers."""
        return {"ok": True, "live_calls": len(server.calls)}

    @app.get("/ready")
    async def ready() -> JSONResponse:
        """Readiness: 503 while this process refuses new calls (its calls go on)."""
        status = server.capacity.status()
        return JSONResponse(status, status_code=200 if status["ready"] else 503)

    return app


__all__ = ["VoiceServer", "create_app"]
