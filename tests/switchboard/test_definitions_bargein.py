"""`barge_in:` blocks: parsed, validated, overlaid (team default, then the agent's own) and
handed to the server's barge-in hooks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from switchboard.definitions import DefinitionErrors, check_folder, json_schemas, load_team
from switchboard.server import barge_in_hooks
from voice import BargeInSettings
from voice.hooks import InboundHookFactory

FIXTURES = Path(__file__).parent / "fixtures"
AGENTS = Path(__file__).parents[2] / "agents"


def _team(tmp_path: Path, team_extra: str, front_extra: str) -> Path:
    root = tmp_path / "team"
    shutil.copytree(FIXTURES / "base", root)
    for name, extra in (("team.yaml", team_extra), ("front.yaml", front_extra)):
        path = root / name
        path.write_text(path.read_text() + extra)
    return root


def test_agent_block_overlays_the_team_default(tmp_path: Path) -> None:
    root = _team(
        tmp_path,
        "barge_in:\n  hold_ms: 60\n  confirm_ms: 300\n",
        "barge_in:\n  confirm_ms: 120\n  backchannels: [Mhm, okay]\n",
    )
    team = load_team(root)
    front, desk = team.barge_in("front"), team.barge_in("desk")
    assert (front.hold_ms, front.confirm_ms, front.backchannels) == (60, 120, {"mhm", "okay"})
    assert (desk.hold_ms, desk.confirm_ms) == (60, 300)
    assert team.barge_in(None) == desk  # no agent named: the team default
    assert team.barge_in("front") is front  # built once per agent


def test_no_block_means_the_defaults() -> None:
    team = load_team(FIXTURES / "base")
    assert team.barge_in("front") == BargeInSettings()


def test_a_value_that_only_breaks_with_the_team_block_is_reported(tmp_path: Path) -> None:
    root = _team(tmp_path, "barge_in:\n  max_confirm_ms: 500\n", "")
    assert check_folder(root) == []
    desk = root / "desk.yaml"
    desk.write_text(desk.read_text() + "barge_in:\n  confirm_ms: 501\n")
    [error] = check_folder(root)
    assert error.path.name == "desk.yaml"
    assert "confirm_ms must not exceed max_confirm_ms" in error.message
    with pytest.raises(DefinitionErrors):
        load_team(root)


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ("barge_in:\n  hold_ms: 12.5\n", "whole number of milliseconds"),
        ("barge_in:\n  hold_ms: true\n", "must be a number"),
        ("barge_in:\n  hold_ms: null\n", "must be a number"),
        ("barge_in:\n  speech_prob: -0.1\n", "must not be negative"),
        ("barge_in:\n  backchannels: okay\n", "must be a list of words"),
        ("barge_in:\n  hold_ms: 0\n", "need 0 < hold_ms"),
        ("barge_in: [hold_ms]\n", "expected a mapping"),
    ],
)
def test_bad_values_say_what_is_allowed(tmp_path: Path, extra: str, fragment: str) -> None:
    root = _team(tmp_path, "", extra)
    [error] = check_folder(root)
    assert error.path.name == "front.yaml" and fragment in error.message, str(error)


def test_null_turns_off_the_rules_that_allow_it(tmp_path: Path) -> None:
    off = "barge_in:\n  reonset_rise_db: null\n  rearm_rise_db: null\n  max_extend_ms: null\n"
    root = _team(tmp_path, "", off)
    assert check_folder(root) == []
    front = load_team(root).barge_in("front")
    assert (front.reonset_rise_db, front.rearm_rise_db, front.max_extend_ms) == (None, None, None)


def test_schema_lists_the_settings() -> None:
    for name in ("team.schema.json", "agent.schema.json"):
        prop = json_schemas()[name]["properties"]["barge_in"]
        assert "confirm_ms" in prop["propertyNames"]["enum"]
        assert "barge_in" in prop["description"] or "BargeInSettings" in prop["description"]


def test_nurse_line_confirms_faster_than_reception() -> None:
    team = load_team(AGENTS / "healthcare")
    assert team.barge_in("nurse_line").confirm_ms < team.barge_in("reception").confirm_ms


class _Playing:
    state = None
    session = None

    def __init__(self, agent: str) -> None:
        from voice.playout import PlayoutState

        self.state = PlayoutState.PLAYING
        self.speaking_agent = agent


async def test_server_hooks_use_the_team_settings() -> None:
    import time

    import numpy as np

    from voice.hooks import InboundFrame

    team = load_team(AGENTS / "healthcare")
    hooks: InboundHookFactory = barge_in_hooks(team=team)
    ctl = hooks("CA1")
    assert ctl.settings is team.barge_in(None)  # type: ignore[attr-defined]
    frame = InboundFrame(pcm=np.zeros(160, np.int16), timestamp_ms=0, received_at=time.monotonic())
    await ctl.on_frame(frame, _Playing("nurse_line"))  # type: ignore[arg-type]
    assert ctl.settings.confirm_ms == 150  # type: ignore[attr-defined]
