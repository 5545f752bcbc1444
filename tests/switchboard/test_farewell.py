"""A caller's goodbye: the offline model says the team's farewell and the session ends."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from backplane import AgentTurn, Backplane, ManualClock, SessionEndedEvent, SessionStatus
from switchboard.definitions import Team, load_team
from switchboard.orchestrator import Orchestrator, OrchestratorSettings, run_sample
from switchboard.rerun import RerunSettings, rerun_record
from tools.replay import load_session

AGENTS = Path(__file__).resolve().parents[2] / "agents"
CLINIC = load_team(AGENTS / "healthcare")


async def _start(bp: Backplane, sid: str, team: Team = CLINIC) -> ManualClock:
    clock = ManualClock(datetime(2025, 3, 5, 10, 0, tzinfo=team.tz).timestamp())
    await bp.create_session(sid, agent=team.entry, clock=clock)
    return clock


def test_every_team_gets_the_default_farewell() -> None:
    for folder in ("healthcare", "salon", "real_estate"):
        team = load_team(AGENTS / folder)
        for said in ("That's all, thank you. Goodbye.", "Bye!", "No thanks, that's it."):
            assert team.is_farewell(said), (folder, said)
        for said in ("Hi, I'd like to book an appointment.", "My name is Abbey Byers."):
            assert not team.is_farewell(said), (folder, said)
        line = team.farewell_line({}, team.entry)
        assert line == f"Thanks for calling {team.spec.display_name}. Goodbye!"


async def test_goodbye_gets_the_farewell_and_ends_the_session(
    backplane: Backplane, orchestration: OrchestratorSettings
) -> None:
    clock = await _start(backplane, "bye")
    async with backplane.own("bye", owner="w1", clock=clock) as owned:
        conv = await Orchestrator(CLINIC, orchestration)(owned, resumed=False)
        await conv.greet()
        assert not conv.ended
        reply = await conv.turn("That's all, thank you. Goodbye.")
        assert conv.ended
    assert reply == f"Thanks for calling {CLINIC.spec.display_name}. Goodbye!"
    snap = await backplane.snapshot("bye")
    assert snap.status == SessionStatus.ENDED
    events = await backplane.read_events("bye")
    last_turn = max(i for i, e in enumerate(events) if isinstance(e, AgentTurn))
    ended = [i for i, e in enumerate(events) if isinstance(e, SessionEndedEvent)]
    assert ended and ended[0] > last_turn  # the farewell is recorded before the end
    assert events[ended[0]].reason == "caller said goodbye"


async def test_a_goodbye_that_also_answers_is_not_the_end(
    backplane: Backplane, orchestration: OrchestratorSettings
) -> None:
    clock = await _start(backplane, "not-yet")
    async with backplane.own("not-yet", owner="w1", clock=clock) as owned:
        conv = await Orchestrator(CLINIC, orchestration)(owned, resumed=False)
        await conv.greet()
        # A team intent wins over the goodbye phrase: the caller still wants something.
        reply = await conv.turn("I'd like to book a physical, that's all.")
        assert not conv.ended
        assert "Goodbye" not in reply
    snap = await backplane.snapshot("not-yet")
    assert snap.status != SessionStatus.ENDED


async def test_a_sample_that_says_goodbye_ends_and_reruns_the_same(
    backplane: Backplane, orchestration: OrchestratorSettings
) -> None:
    salon = load_team(AGENTS / "salon")
    sample = next(s for s in salon.samples() if s.dialogue.expect.ended)
    run = await run_sample(salon, sample, backplane, orchestration)
    assert run.ok, run.failures
    record = await load_session(backplane, run.session_id)
    report = await rerun_record(record, RerunSettings(agents=AGENTS / "salon"), backplane)
    assert report.same, report.divergence and report.divergence.describe()
