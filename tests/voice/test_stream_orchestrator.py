"""The call loop with the real orchestrator (healthcare team, offline model) over a real stream.

Speech models are replaced by stand-ins (tone bursts end turns; the recogniser "hears" scripted
lines) so this runs in seconds; tests/e2e does the same with the offline STT and TTS.
"""

from __future__ import annotations

from pathlib import Path

from backplane import AgentTurn, CallerTurn, Handoff
from switchboard.orchestrator import Orchestrator
from tests.voice.conftest import Live
from tests.voice.stand_ins import ScriptedRecognizer, tone

TEAM = Path(__file__).resolve().parents[2] / "agents" / "healthcare"
LINES = ["Hi, I'd like to book a physical for myself.", "Dana Whitfield.", "March 3rd, 1985."]


async def test_orchestrated_call_hands_off_and_survives_a_dropped_stream(live: Live) -> None:
    orchestrator = Orchestrator.from_folder(TEAM)
    live.server.agents = orchestrator
    live.server.entry_agent = orchestrator.team.entry
    live.server.recognizer = ScriptedRecognizer(list(LINES))
    call = await live.sim.place_call()
    assert await call.wait_for_agent(within=30)
    for _ in LINES[:2]:
        call.play(tone(300))
        assert await call.wait_for_agent(within=30)
    await call.drop()
    live.server.recognizer = ScriptedRecognizer(LINES[2:])  # the new stream's recogniser
    await call.reconnect()
    call.play(tone(300))
    assert await call.wait_for_agent(within=30)
    await call.hangup()

    events = await live.backplane.read_events(call.call_sid)
    assert [e.text for e in events if isinstance(e, CallerTurn)] == LINES
    assert [(e.from_agent, e.to_agent) for e in events if isinstance(e, Handoff)] == [
        ("reception", "scheduling")
    ]
    agents = [e.agent for e in events if isinstance(e, AgentTurn)]
    assert agents[0] == "reception" and agents[-1] == "scheduling"
    snap = await live.backplane.snapshot(call.call_sid)
    assert snap.agent == "scheduling"
    assert snap.slots["patient_name"].value == "Dana Whitfield"
    assert snap.slots["date_of_birth"].value == "1985-03-03"
