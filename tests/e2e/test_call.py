"""A spoken call through the simulator: synthesised caller → STT → orchestrator → TTS → audio.

Real uvicorn on 127.0.0.1, real Redis, the healthcare team on the offline model, the offline
Whisper recogniser and piper voice. The caller is handed from reception to scheduling.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

import pytest
import soundfile as sf

from backplane import AgentTurn, CallerTurn, Handoff, SessionStatus
from switchboard.testing.script import AgentReplies, CallerScript, run_script
from tests.e2e.conftest import LiveCall
from voice.events import StreamStarted

pytestmark = pytest.mark.slow

LINES = (
    "Hi, I'd like to book a physical for myself.",
    "My name is Dana Whitfield.",
    "It is March third, nineteen eighty-five.",
    "Next Tuesday at 3 in the afternoon.",
)


def words(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def close(heard: str, said: str) -> bool:
    """Offline STT on telephone audio is good, not perfect: allow a misheard letter or two."""
    return SequenceMatcher(None, words(heard), words(said)).ratio() >= 0.8


async def test_spoken_call_is_handed_from_reception_to_scheduling(
    healthcare: LiveCall, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    result = await run_script(
        healthcare.sim, CallerScript.of_lines(*LINES), backplane=healthcare.backplane
    )
    call = result.call
    assert result.unanswered == []

    events = await healthcare.backplane.read_events(call.call_sid)
    heard = [e.text for e in events if isinstance(e, CallerTurn)]
    assert len(heard) == len(LINES), heard
    assert close(heard[0], LINES[0]) and close(heard[1], LINES[1]), heard
    assert "1985" in heard[2], heard
    replies = [e for e in events if isinstance(e, AgentTurn)]
    assert replies[0].agent == "reception" and "Maple Grove" in replies[0].text  # greeting
    handoffs = [(e.from_agent, e.to_agent) for e in events if isinstance(e, Handoff)]
    assert handoffs == [("reception", "scheduling")]

    snap = await healthcare.backplane.snapshot(call.call_sid)
    assert snap.status == SessionStatus.ENDED
    assert snap.agent == "scheduling"
    assert close(snap.slots["patient_name"].value, "Dana Whitfield")
    assert snap.slots["date_of_birth"].value == "1985-03-03"
    assert snap.slots["visit_reason"].value == "annual physical"
    if re.search(r"tuesday at 3 in the afternoon", words(heard[3])):
        assert "appointment_time" in snap.slots  # booked once the time was heard right

    # Audio went both ways and the recording holds both sides.
    assert all(t.latency_ms is not None for t in result.timings)
    data, rate = sf.read(call.line.write_wav(tmp_path / "call.wav"), dtype="int16")
    assert rate == 8000 and data.shape[1] == 2
    assert abs(data[:, 0]).max() > 1000 and abs(data[:, 1]).max() > 1000


async def test_dropped_stream_resumes_with_agent_and_slots(healthcare: LiveCall) -> None:
    first = CallerScript.of_lines(*LINES[:2], hangup=False)
    result = await run_script(healthcare.sim, first, backplane=healthcare.backplane)
    call = result.call
    sid = call.call_sid
    before = await healthcare.backplane.snapshot(sid)
    name = before.slots["patient_name"].value
    assert close(name, "Dana Whitfield")

    await call.drop()
    target = await call.reconnect()
    assert target.url is not None
    replies = AgentReplies(healthcare.backplane, sid)
    seen = await replies.count()
    await call.say(LINES[2])
    assert await call.wait_for_agent(within=60, replied=replies.more_than(seen))
    await call.hangup()

    after = await healthcare.backplane.snapshot(sid)
    events = await healthcare.backplane.read_events(sid)
    heard = [e.text for e in events if isinstance(e, CallerTurn)]  # what the STT made of it
    assert after.slots["patient_name"].value == name  # kept, not asked again
    assert after.slots["date_of_birth"].value == "1985-03-03", heard
    assert after.agent == "scheduling"
    assert [e.resumed for e in events if isinstance(e, StreamStarted)] == [False, True]
    greetings = [e for e in events if isinstance(e, AgentTurn) and "Maple Grove" in e.text]
    assert len(greetings) == 1  # the resumed stream does not greet again
