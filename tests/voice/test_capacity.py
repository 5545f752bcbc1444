"""A process past its capacity refuses new calls (busy), keeps its own, says so on /ready."""

from __future__ import annotations

import asyncio
import time

import pytest

from switchboard.testing import CallRejected, parse_twiml, voice_webhook_params
from tests.voice.conftest import live_server
from voice.capacity import Capacity, CapacitySettings, FrameLag, StreamPace
from voice.config import VoiceSettings
from voice.errors import VoiceError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_frame_lateness_counts_from_the_streams_earliest_frame() -> None:
    pace = StreamPace()
    assert pace.late_s(0, now=50.030) == 0.0  # the line's own delay: 30 ms, not lateness
    assert pace.late_s(20, now=50.052) == pytest.approx(0.002)
    assert pace.late_s(40, now=50.065) == 0.0  # earlier than any before: the new origin
    assert pace.late_s(60, now=50.285) == pytest.approx(0.2)  # queued 200 ms somewhere


def test_lag_is_a_percentile_over_the_recent_window_only() -> None:
    clock = Clock()
    lag = FrameLag(window_s=2.0, clock=clock)
    assert lag.recent_ms() is None  # no frames yet: no opinion
    for i in range(20):  # 2 s of frames, two of them very late
        clock.now += 0.1
        lag.record(clock.now, 0.5 if i in (3, 4) else 0.002)
    assert lag.recent_ms() == 500.0  # 2 late of 20 reach the 90th percentile
    assert lag.recent_ms(percentile=50) == 2.0
    clock.now += 1.6  # the late frames leave the window; the rest were on time
    assert lag.recent_ms() == 2.0
    clock.now += 5.0
    assert lag.recent_ms() is None


def test_max_calls_counts_live_calls_and_admitted_ones_until_their_stream_starts() -> None:
    clock = Clock()
    live: set[str] = set()
    cap = Capacity(CapacitySettings(max_calls=2, admitted_hold_s=15.0), lambda: live, clock=clock)
    for sid in ("CA1", "CA2"):
        assert cap.refusal() is None
        cap.admit(sid)
    assert cap.refusal() == "2 calls in this process, the limit is 2"
    live.add("CA1")  # its stream started: counted once, as a live call
    assert cap.calls() == 2
    clock.now += 16.0  # CA2 never connected its stream: it stops holding a place
    assert cap.calls() == 1
    assert cap.refusal() is None


def test_settings_refuse_nonsense_and_read_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(VoiceError, match="max_calls"):
        CapacitySettings(max_calls=0)
    with pytest.raises(VoiceError, match="lag_percentile"):
        CapacitySettings(lag_percentile=0.0)
    monkeypatch.delenv("MAX_CALLS", raising=False)
    assert VoiceSettings.from_env().capacity.max_calls is None
    monkeypatch.setenv("MAX_CALLS", "40")
    assert VoiceSettings.from_env().capacity.max_calls == 40
    monkeypatch.setenv("MAX_CALLS", "off")
    assert VoiceSettings.from_env().capacity.max_calls is None
    monkeypatch.setenv("MAX_CALLS", "many")
    with pytest.raises(VoiceError, match="MAX_CALLS='many'"):
        VoiceSettings.from_env()


async def test_a_full_process_answers_busy_keeps_its_call_and_reports_not_ready(
    redis_client,  # type: ignore[no-untyped-def]
) -> None:
    async with live_server(redis_client, capacity=CapacitySettings(max_calls=1)) as live:
        ready = await live.sim.http.get(f"{live.url}/ready")
        assert ready.status_code == 200 and ready.json()["ready"] is True

        first = await live.sim.place_call()
        with pytest.raises(CallRejected) as refused:
            await live.sim.place_call(call_sid="CA" + "2" * 32)
        assert refused.value.reason == "busy"
        assert not await live.backplane.exists("CA" + "2" * 32)  # no session for it

        # Twilio repeating the first call's webhook is not a new call: it still connects
        again = await live.sim.post("/twilio/voice", voice_webhook_params(first.call_sid))
        assert parse_twiml(again.text).url is not None

        ready = await live.sim.http.get(f"{live.url}/ready")
        body = ready.json()
        assert ready.status_code == 503 and body["ready"] is False
        assert body["calls"] == 1 and body["refused_calls"] == 1
        assert "limit is 1" in body["reason"]
        health = await live.sim.http.get(f"{live.url}/healthz")
        assert health.status_code == 200  # alive, just full

        await first.hangup()
        for _ in range(100):  # the stream handler lets the call go
            if not live.server.calls:
                break
            await asyncio.sleep(0.05)
        assert (await live.sim.http.get(f"{live.url}/ready")).status_code == 200
        third = await live.sim.place_call()
        await third.hangup()


async def test_the_server_sees_its_calls_frames_arrive_late(redis_client) -> None:  # type: ignore[no-untyped-def]
    async with live_server(redis_client) as live:
        call = await live.sim.place_call()
        try:
            await asyncio.sleep(0.5)  # frames flowing, on time
            on_time = live.server.capacity.lag.recent_ms(percentile=100)
            assert on_time is not None and on_time < 400.0
            # the server's loop (shared with the simulator here) stuck for 600 ms: the frames
            # due meanwhile reach the call that late
            time.sleep(0.6)  # noqa: ASYNC251 - the point
            await asyncio.sleep(0.3)
            late = live.server.capacity.lag.recent_ms(percentile=100)
            assert late is not None and late >= 400.0
            status = (await live.sim.http.get(f"{live.url}/ready")).json()
            assert status["frame_lag_ms"] is not None
        finally:
            await call.hangup()
