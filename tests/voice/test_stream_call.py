"""A call over a real socket: greeting, turns, marks, recording, hangup, and reconnect."""

from __future__ import annotations

import soundfile as sf

from backplane import AgentTurn, CallerTurn, SessionStatus
from tests.voice.conftest import Live
from tests.voice.stand_ins import tone
from voice.events import StreamEnded, StreamStarted


async def test_turns_flow_and_hangup_ends_the_session(live: Live, tmp_path) -> None:  # type: ignore[no-untyped-def]
    call = await live.sim.place_call()
    assert await call.wait_for_agent(within=20)  # the greeting
    call.play(tone(400), text="first")
    assert await call.wait_for_agent(within=20)
    await call.hangup()

    bp = live.backplane
    events = await bp.read_events(call.call_sid)
    kinds = [e.kind for e in events]
    assert kinds[0] == "session_started"
    assert [e.text for e in events if isinstance(e, CallerTurn)] == ["tone 1"]
    assert [e.text for e in events if isinstance(e, AgentTurn)] == ["You said tone 1."]
    assert any(isinstance(e, StreamStarted) and not e.resumed for e in events)
    snap = await bp.snapshot(call.call_sid)
    assert snap.slots["turns"].value == 1
    assert snap.status == SessionStatus.ENDED
    assert any(isinstance(e, StreamEnded) and e.reason == "stop" for e in events)

    # The agent's tone reached the handset and every mark came back in order.
    assert call.line.received_samples > 0
    heard = call.line.agent_audio()
    assert (abs(heard) > 1000).sum() > 6000  # both replies played (~1 s of tone)
    wav = call.line.write_wav(tmp_path / "call.wav")
    data, rate = sf.read(wav, dtype="int16")
    assert rate == 8000 and data.shape[1] == 2
    assert call.timings[0].latency_ms is not None and call.timings[0].latency_ms > 0


async def test_reconnect_resumes_agent_and_slots(live: Live) -> None:
    call = await live.sim.place_call()
    assert await call.wait_for_agent(within=20)
    call.play(tone(400))
    assert await call.wait_for_agent(within=20)
    call.play(tone(400))
    assert await call.wait_for_agent(within=20)
    before = await live.backplane.snapshot(call.call_sid)
    assert before.agent == "echo_two" and before.slots["turns"].value == 2

    await call.drop()  # no stop: a dead worker or a cut socket
    target = await call.reconnect()
    assert target.url is not None and target.parameters == {"session": call.call_sid}

    call.play(tone(400))
    assert await call.wait_for_agent(within=20)
    await call.hangup()

    after = await live.backplane.snapshot(call.call_sid)
    assert after.agent == "echo_two"
    assert after.slots["turns"].value == 3
    events = await live.backplane.read_events(call.call_sid)
    starts = [e for e in events if isinstance(e, StreamStarted)]
    assert [s.resumed for s in starts] == [False, True]
    greetings = [e for e in events if isinstance(e, AgentTurn) and "Hello" in e.text]
    assert greetings == []  # the echo agent records replies only; no second greeting is spoken
    assert [e.text for e in events if isinstance(e, CallerTurn)] == ["tone 1", "tone 2", "tone 1"]
