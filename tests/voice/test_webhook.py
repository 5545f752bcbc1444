"""Webhook signatures and TwiML: valid → TwiML; forged, missing or altered → 403, nothing made."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from backplane import SessionNotFound
from switchboard.testing import parse_twiml, sign
from tests.voice.conftest import AUTH_TOKEN, Live

PARAMS = {
    "CallSid": "CA" + "1" * 32,
    "AccountSid": "AC" + "0" * 32,
    "From": "+15551230000",
    "To": "+15559870000",
    "CallStatus": "ringing",
    "Direction": "inbound",
    "SomeFieldTwilioAddsLater": "tolerated",
}


async def test_valid_signature_gets_connect_stream_twiml(live: Live) -> None:
    response = await live.sim.post("/twilio/voice", PARAMS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.text)
    connect_el = root.find("Connect")
    assert connect_el is not None
    assert connect_el.get("action") == f"{live.url}/twilio/stream-ended"
    target = parse_twiml(response.text)
    assert target.url == live.url.replace("http://", "ws://") + "/twilio/stream"
    assert target.parameters == {"session": PARAMS["CallSid"]}
    snap = await live.backplane.snapshot(PARAMS["CallSid"])
    assert snap.agent == "echo"
    assert snap.metadata["From"] == "+15551230000"


@pytest.mark.parametrize(
    "case",
    ["forged", "missing", "changed_param", "added_param", "wrong_token", "wrong_url"],
)
async def test_bad_signature_is_403_and_creates_nothing(live: Live, case: str) -> None:
    url = f"{live.url}/twilio/voice"
    params = dict(PARAMS)
    signature: str | None = sign(AUTH_TOKEN, url, params)
    if case == "forged":
        signature = "bm90IGEgc2lnbmF0dXJl"
    elif case == "missing":
        signature = None
    elif case == "changed_param":
        params["From"] = "+15550000000"  # replayed with a changed parameter
    elif case == "added_param":
        params["Extra"] = "1"
    elif case == "wrong_token":
        signature = sign("another-token", url, params)
    elif case == "wrong_url":
        signature = sign(AUTH_TOKEN, "https://evil.example/twilio/voice", params)
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    response = await live.sim.http.post(url, data=params, headers=headers)
    assert response.status_code == 403
    with pytest.raises(SessionNotFound):
        await live.backplane.snapshot(PARAMS["CallSid"])
    assert await live.backplane.redis.dbsize() == 0


@pytest.mark.parametrize("path", ["/twilio/stream-ended", "/twilio/status"])
async def test_other_webhooks_check_signatures_too(live: Live, path: str) -> None:
    await live.sim.post("/twilio/voice", PARAMS)
    before = await live.backplane.read_events(PARAMS["CallSid"])
    params = {**PARAMS, "CallStatus": "completed"}
    response = await live.sim.post(path, params, signature="Zm9yZ2Vk")
    assert response.status_code == 403
    assert await live.backplane.read_events(PARAMS["CallSid"]) == before


async def test_stream_ended_reconnects_a_live_session_and_hangs_up_an_ended_one(
    live: Live,
) -> None:
    await live.sim.post("/twilio/voice", PARAMS)
    response = await live.sim.post("/twilio/stream-ended", PARAMS)
    target = parse_twiml(response.text)
    assert target.url is not None and target.parameters == {"session": PARAMS["CallSid"]}

    status = {**PARAMS, "CallStatus": "completed", "CallDuration": "12"}
    assert (await live.sim.post("/twilio/status", status)).status_code == 204
    snap = await live.backplane.snapshot(PARAMS["CallSid"])
    assert snap.status == "ended"
    response = await live.sim.post("/twilio/stream-ended", PARAMS)
    assert parse_twiml(response.text).hangup


async def test_stream_ended_for_an_unknown_call_hangs_up(live: Live) -> None:
    response = await live.sim.post("/twilio/stream-ended", {**PARAMS, "CallSid": "CAnope"})
    assert response.status_code == 200
    assert parse_twiml(response.text).hangup


@pytest.mark.parametrize("case", ["missing", "forged", "signed_for_other_url"])
async def test_websocket_upgrade_without_a_valid_signature_is_refused(
    live: Live, case: str
) -> None:
    await live.sim.post("/twilio/voice", PARAMS)
    ws_url = live.url.replace("http://", "ws://") + "/twilio/stream"
    headers = {
        "missing": {},
        "forged": {"X-Twilio-Signature": "Zm9yZ2Vk"},
        "signed_for_other_url": {"X-Twilio-Signature": sign(AUTH_TOKEN, ws_url + "x")},
    }[case]
    with pytest.raises(InvalidStatus) as info:
        async with connect(ws_url, additional_headers=headers):
            pass
    assert info.value.response.status_code == 403
    events = await live.backplane.read_events(PARAMS["CallSid"])
    assert [e.kind for e in events] == ["session_started"]


async def test_websocket_upgrade_with_a_valid_signature_is_accepted(live: Live) -> None:
    ws_url = live.url.replace("http://", "ws://") + "/twilio/stream"
    async with connect(
        ws_url, additional_headers={"X-Twilio-Signature": sign(AUTH_TOKEN, ws_url)}
    ) as ws:
        await ws.send('{"event": "connected", "protocol": "Call", "version": "1.0.0"}')
        await ws.close()


def test_signatures_are_checked_by_default_and_fail_closed_without_a_token() -> None:
    from voice.config import VoiceSettings
    from voice.errors import SignatureError
    from voice.signature import SignatureChecker

    assert VoiceSettings().validate_signatures
    checker = SignatureChecker(VoiceSettings(auth_token=None))
    with pytest.raises(SignatureError):
        checker.check("https://x/twilio/voice", {}, "anything")
    SignatureChecker(VoiceSettings(validate_signatures=False)).check("https://x", {}, None)


def test_public_url_comes_from_configuration_not_the_host_header() -> None:
    from voice.config import VoiceSettings
    from voice.signature import SignatureChecker

    checker = SignatureChecker(VoiceSettings(public_base_url="https://voice.example.com/sb/"))
    seen = "http://10.0.0.7:8000"
    assert checker.public_url("/twilio/voice", seen=seen) == (
        "https://voice.example.com/sb/twilio/voice"
    )
    assert checker.public_url("/twilio/stream", websocket=True, seen=seen) == (
        "wss://voice.example.com/sb/twilio/stream"
    )
    assert SignatureChecker(VoiceSettings()).public_url("/a", "b=1", seen=seen) == (
        "http://10.0.0.7:8000/a?b=1"
    )


async def test_status_after_the_session_ended_is_accepted_and_changes_nothing(live: Live) -> None:
    await live.sim.post("/twilio/voice", PARAMS)
    done = {**PARAMS, "CallStatus": "completed", "CallDuration": "3"}
    assert (await live.sim.post("/twilio/status", done)).status_code == 204
    events = await live.backplane.read_events(PARAMS["CallSid"])
    assert (await live.sim.post("/twilio/status", done)).status_code == 204
    assert await live.backplane.read_events(PARAMS["CallSid"]) == events
