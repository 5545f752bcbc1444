"""Malformed or out-of-order Media Streams input: logged and skipped, the call goes on."""

from __future__ import annotations

import asyncio
import base64
import json
import logging

import pytest
from websockets.asyncio.client import connect

from backplane import SessionStatus
from switchboard.testing import sign
from tests.voice.conftest import AUTH_TOKEN, Live
from tests.voice.stand_ins import tone
from voice.messages import MAX_MESSAGE_CHARS, ProtocolError, parse_inbound

BAD_MESSAGES = {
    "malformed_json": '{"event": "media", ',
    "not_an_object": "[1, 2, 3]",
    "unknown_event": json.dumps({"event": "teleport", "streamSid": "MZ1"}),
    "missing_event": json.dumps({"streamSid": "MZ1"}),
    "bad_base64": json.dumps(
        {"event": "media", "streamSid": "MZ1", "media": {"payload": "***not base64***"}}
    ),
    "empty_payload": json.dumps({"event": "media", "media": {"payload": ""}}),
    "oversized": json.dumps({"event": "media", "media": {"payload": "A" * 200_000}}),
    "binary_frame": b"\x00\x01\x02",
    "media_missing_fields": json.dumps({"event": "media"}),
    "mark_missing_name": json.dumps({"event": "mark", "mark": {}}),
    "unknown_mark": json.dumps({"event": "mark", "mark": {"name": "never-sent"}}),
}


@pytest.mark.parametrize("text", ['{"event":', '{"event": "nope"}', '"x"', "A" * 70_000])
def test_parse_inbound_raises_protocol_error(text: str) -> None:
    with pytest.raises(ProtocolError):
        parse_inbound(text)
    assert MAX_MESSAGE_CHARS < 70_000


async def test_malformed_messages_mid_call_are_skipped_and_the_call_goes_on(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="voice")
    call = await live.sim.place_call()
    assert await call.wait_for_agent(within=20)
    for raw in BAD_MESSAGES.values():
        await call.send_raw(raw)
    call.play(tone(400))
    assert await call.wait_for_agent(within=20)
    snap = await live.backplane.snapshot(call.call_sid)
    assert snap.slots["turns"].value == 1 and snap.status == SessionStatus.ACTIVE
    skipped = [r for r in caplog.records if "skipped a message" in r.getMessage()]
    # Every bad message but the unknown mark (harmless, ignored silently) got a log line.
    assert len(skipped) >= len(BAD_MESSAGES) - 1
    await call.hangup()


async def test_media_before_start_and_a_second_start_are_skipped(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="voice")
    response = await live.sim.post(
        "/twilio/voice", {"CallSid": "CAearly", "From": "+15551230000", "To": "+15559870000"}
    )
    assert response.status_code == 200
    ws_url = live.url.replace("http://", "ws://") + "/twilio/stream"
    frame = base64.b64encode(b"\xff" * 160).decode()
    start = {
        "event": "start",
        "sequenceNumber": "1",
        "streamSid": "MZearly",
        "start": {
            "accountSid": "AC1",
            "callSid": "CAearly",
            "streamSid": "MZearly",
            "customParameters": {"session": "CAearly"},
        },
    }
    async with connect(
        ws_url, additional_headers={"X-Twilio-Signature": sign(AUTH_TOKEN, ws_url)}
    ) as ws:
        await ws.send(json.dumps({"event": "media", "media": {"payload": frame}}))
        await ws.send(json.dumps({"event": "mark", "mark": {"name": "x"}}))
        await ws.send(json.dumps(start))
        await ws.send(json.dumps(start))
        greeting = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert greeting["event"] == "media" and greeting["streamSid"] == "MZearly"
        await ws.send(json.dumps({"event": "stop", "streamSid": "MZearly", "stop": {}}))
        await asyncio.wait_for(ws.wait_closed(), 10)
    messages = [r.getMessage() for r in caplog.records]
    assert any("media before start" in m for m in messages)
    assert any("mark before start" in m for m in messages)
    assert any("a second start" in m for m in messages)
    assert (await live.backplane.snapshot("CAearly")).status == SessionStatus.ENDED


async def _until_calls_end(live: Live) -> None:
    for _ in range(200):
        if not live.server.calls:
            break
        await asyncio.sleep(0.05)
    assert live.server.calls == {}


async def test_abrupt_disconnect_keeps_the_session_live_and_releases_the_lease(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="voice")
    call = await live.sim.place_call()
    assert await call.wait_for_agent(within=20)
    call.play(tone(400))
    assert await call.wait_for_agent(within=20)
    await call.drop()
    await _until_calls_end(live)
    snap = await live.backplane.snapshot(call.call_sid)
    assert snap.status == SessionStatus.ACTIVE and snap.slots["turns"].value == 1
    assert any("socket closed without stop" in r.getMessage() for r in caplog.records)
    # The lease is free: another worker can own the session without a takeover.
    async with live.backplane.own(call.call_sid, owner="other-worker") as owned:
        assert owned.token > 0


async def test_start_for_an_unknown_session_closes_the_stream_without_crashing(
    live: Live,
) -> None:
    ws_url = live.url.replace("http://", "ws://") + "/twilio/stream"
    start = {
        "event": "start",
        "streamSid": "MZghost",
        "start": {"callSid": "CAghost", "streamSid": "MZghost"},
    }
    async with connect(
        ws_url, additional_headers={"X-Twilio-Signature": sign(AUTH_TOKEN, ws_url)}
    ) as ws:
        await ws.send(json.dumps(start))
        await asyncio.wait_for(ws.wait_closed(), 10)
    health = await live.sim.http.get(f"{live.url}/healthz")
    assert health.json() == {"ok": True, "live_calls": 0}


async def test_a_hangup_while_the_agent_is_talking_is_no_error(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    """The line going away mid-reply is how calls end: the sender stops quietly."""
    caplog.set_level(logging.INFO, logger="voice")
    call = await live.sim.place_call()
    for _ in range(400):  # until the greeting's audio is flowing
        loop = live.server.calls.get(call.call_sid)
        if loop is not None and loop.outbound.first_audio_at is not None:
            break
        await asyncio.sleep(0.025)
    else:
        pytest.fail("the agent never started talking")
    await call.hangup()
    await _until_calls_end(live)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
