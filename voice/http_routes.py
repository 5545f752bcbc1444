"""Twilio's HTTP webhooks: the incoming call, the end of a stream, and call status callbacks.

Every route checks `X-Twilio-Signature` first; a request that fails gets 403 and nothing else
happens (no session, no event, no log of the body).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from twilio.twiml.voice_response import Connect, Stream, VoiceResponse

from backplane import LeaseHeld, SessionEnded, SessionExists, SessionNotFound, SessionStatus
from voice.errors import SignatureError
from voice.events import CallStatus
from voice.signature import HEADER

if TYPE_CHECKING:
    from voice.app import VoiceServer

log = logging.getLogger(__name__)

STREAM_PATH = "/twilio/stream"
STREAM_ENDED_PATH = "/twilio/stream-ended"
FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


def _xml(twiml: VoiceResponse) -> Response:
    return Response(content=str(twiml), media_type="application/xml")


def _forbidden(exc: SignatureError) -> Response:
    log.warning("403: %s", exc)
    return Response(status_code=403, content="invalid Twilio signature\n", media_type="text/plain")


async def _signed_form(server: VoiceServer, request: Request) -> dict[str, str]:
    """The POST parameters, after checking the signature over the public URL (or raise)."""
    form = await request.form()
    params = {k: v for k, v in form.items() if isinstance(v, str)}
    seen = f"{request.url.scheme}://{request.url.netloc}"
    url = server.checker.public_url(request.url.path, request.url.query, seen=seen)
    server.checker.check(url, params, request.headers.get(HEADER))
    return params


def connect_twiml(server: VoiceServer, request: Request, session_id: str) -> VoiceResponse:
    """`<Connect action=stream-ended><Stream url=wss://.../twilio/stream>` for a session."""
    seen = f"{request.url.scheme}://{request.url.netloc}"
    response = VoiceResponse()
    connect = Connect(action=server.checker.public_url(STREAM_ENDED_PATH, seen=seen))
    stream = Stream(url=server.checker.public_url(STREAM_PATH, websocket=True, seen=seen))
    stream.parameter(name="session", value=session_id)
    connect.append(stream)
    response.append(connect)
    return response


def build_router(server: VoiceServer) -> APIRouter:
    router = APIRouter()

    @router.post("/twilio/voice")
    async def incoming_call(request: Request) -> Response:
        try:
            params = await _signed_form(server, request)
        except SignatureError as exc:
            return _forbidden(exc)
        call_sid = params.get("CallSid", "")
        if not call_sid:
            return Response(status_code=400, content="CallSid is required\n")
        metadata = {k: params[k] for k in ("From", "To", "Direction", "AnsweredBy") if k in params}
        full = server.capacity.refusal()
        if full is None:
            server.capacity.admit(call_sid)
        elif not await server.backplane.exists(call_sid):  # not a repeated webhook of a call it has
            # busy, rather than a call whose every frame (and every other call's) runs late
            server.capacity.refuse(call_sid, full)
            busy = VoiceResponse()
            busy.reject(reason="busy")
            return _xml(busy)
        try:
            await server.backplane.create_session(
                call_sid, agent=server.entry_agent, channel="voice", metadata=metadata
            )
            log.info("call %s: new session with %s", call_sid, server.entry_agent)
        except SessionExists:
            log.info("call %s: webhook repeated; session already exists", call_sid)
        return _xml(connect_twiml(server, request, call_sid))

    @router.post(STREAM_ENDED_PATH)
    async def stream_ended(request: Request) -> Response:
        try:
            params = await _signed_form(server, request)
        except SignatureError as exc:
            return _forbidden(exc)
        call_sid = params.get("CallSid", "")
        try:
            snap = await server.backplane.snapshot(call_sid) if call_sid else None
        except SessionNotFound:
            snap = None
        if snap is not None and snap.status != SessionStatus.ENDED:
            log.info("call %s: stream ended while the session is live; reconnecting", call_sid)
            return _xml(connect_twiml(server, request, call_sid))
        response = VoiceResponse()
        response.hangup()
        return _xml(response)

    @router.post("/twilio/status")
    async def call_status(request: Request) -> Response:
        try:
            params = await _signed_form(server, request)
        except SignatureError as exc:
            return _forbidden(exc)
        call_sid, status = params.get("CallSid", ""), params.get("CallStatus", "")
        log.info("call %s: status %s", call_sid, status)
        duration = params.get("CallDuration", "")
        event = CallStatus(status=status, duration_s=int(duration) if duration.isdigit() else None)
        await server.record_status(call_sid, event, final=status in FINAL_STATUSES)
        return Response(status_code=204)

    return router


async def record_status_unowned(server: VoiceServer, call_sid: str, event: CallStatus) -> bool:
    """Record a status for a call no stream in this process serves; False if someone else does."""
    try:
        async with server.backplane.own(call_sid, owner=server.settings.worker_id) as session:
            await session.append(event)
            if event.status in FINAL_STATUSES:
                await session.end(f"call {event.status}")
        return True
    except (LeaseHeld, SessionNotFound, SessionEnded) as exc:
        # Held: the worker serving the stream sees `stop` itself. Ended: nothing left to do.
        log.info("call %s: status %s not recorded (%s)", call_sid, event.status, exc)
        return False


__all__ = ["FINAL_STATUSES", "build_router", "connect_twiml"]
