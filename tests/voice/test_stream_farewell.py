"""The caller says goodbye: the agent's farewell plays, then the server hangs up the call."""

from __future__ import annotations

from pathlib import Path

from backplane import AgentTurn, SessionEndedEvent, SessionStatus
from switchboard.orchestrator import Orchestrator
from tests.voice.conftest import Live
from tests.voice.stand_ins import ScriptedRecognizer, tone

TEAM = Path(__file__).resolve().parents[2] / "agents" / "healthcare"
LINES = ["That's all, thank you. Goodbye."]


async def test_farewell_plays_then_the_server_closes_the_stream_and_hangs_up(live: Live) -> None:
    orchestrator = Orchestrator.from_folder(TEAM)
    live.server.agents = orchestrator
    live.server.entry_agent = orchestrator.team.entry
    live.server.recognizer = ScriptedRecognizer(list(LINES))
    call = await live.sim.place_call()
    assert await call.wait_for_agent(within=30)
    assert not call.server_closed
    heard_before = call.line.agent_last_at or 0
    call.play(tone(300))
    # The server closes the stream only after the farewell's marks came back, and the
    # `<Connect action>` that Twilio then requests answers `<Hangup/>`.
    assert await call.wait_hung_up(within=30)
    assert call.server_closed and call.closed
    assert call.line.agent_last_at is not None and call.line.agent_last_at > heard_before

    farewell = f"Thanks for calling {orchestrator.team.spec.display_name}. Goodbye!"
    events = await live.backplane.read_events(call.call_sid)
    turns = [e.text for e in events if isinstance(e, AgentTurn)]
    assert turns[-1] == farewell
    ended = [e for e in events if isinstance(e, SessionEndedEvent)]
    assert [e.reason for e in ended] == ["caller said goodbye"]
    snap = await live.backplane.snapshot(call.call_sid)
    assert snap.status == SessionStatus.ENDED
    assert call.call_sid not in live.server.calls
