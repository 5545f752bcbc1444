"""Every sample dialogue in agents/ runs with the offline model against real Redis, its tools
through the tool runtime against real local services (bookings checked in the calendar's
own records)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backplane import Backplane
from switchboard.definitions import Sample, load_team, team_folders
from switchboard.orchestrator import OrchestratorSettings, run_sample

AGENTS = Path(__file__).resolve().parents[2] / "agents"
TEAMS = {folder.name: load_team(folder) for folder in team_folders(AGENTS)}
SAMPLES: list[tuple[str, Sample]] = [
    (name, sample) for name, team in TEAMS.items() for sample in team.samples()
]


def test_every_vertical_has_samples_and_a_multi_agent_one() -> None:
    for name, team in TEAMS.items():
        samples = team.samples()
        assert samples, name
        assert any(len(s.dialogue.expect.handoffs) >= 1 for s in samples), name


@pytest.mark.parametrize(("team_name", "sample"), SAMPLES, ids=[s.test_id for _, s in SAMPLES])
async def test_sample_dialogue(
    team_name: str, sample: Sample, backplane: Backplane, orchestration: OrchestratorSettings
) -> None:
    run = await run_sample(TEAMS[team_name], sample, backplane, orchestration)
    assert run.ok, "\n".join([*run.failures, "", run.transcript()])
