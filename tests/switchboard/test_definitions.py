"""The shipped verticals load, validate clean, and the exported JSON Schema is current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from switchboard.cli import app
from switchboard.definitions import check_path, json_schemas, load_team, render, team_folders

AGENTS = Path(__file__).resolve().parents[2] / "agents"
VERTICALS = team_folders(AGENTS)


def test_all_three_verticals_exist() -> None:
    assert {p.name for p in VERTICALS} >= {"healthcare", "real_estate", "salon"}


@pytest.mark.parametrize("folder", VERTICALS, ids=[p.name for p in VERTICALS])
def test_vertical_is_valid_and_rich_enough(folder: Path) -> None:
    team = load_team(folder)
    assert len(team.agents) >= 3
    assert team.entry in team.agents
    assert all(len(a.instructions) > 200 for a in team.agents.values())
    assert any(a.handoffs for a in team.agents.values())
    assert team.samples(), "every vertical documents itself with sample dialogues"


def test_validate_command_is_clean_on_agents_folder() -> None:
    result = CliRunner().invoke(app, ["validate", str(AGENTS)])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output
    assert check_path(AGENTS) == []


def test_validate_command_fails_with_file_line_column(tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text("name: t\ndisplay_name: T\nentry: nobody\n")
    result = CliRunner().invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'team.yaml'}:3:8: entry agent 'nobody'" in result.output


def test_exported_schema_matches_committed_files() -> None:
    for filename, schema in json_schemas().items():
        committed = json.loads((AGENTS / "schema" / filename).read_text())
        assert committed == json.loads(json.dumps(schema)), f"regenerate agents/schema/{filename}"


def test_schema_names_slot_types_and_documents_fields() -> None:
    agent = json_schemas()["agent.schema.json"]
    kinds = agent["$defs"]["SlotKind"]["enum"]
    assert kinds == ["text", "phone", "date", "time", "datetime", "enum", "yes_no"]
    assert "description" in agent["properties"]["instructions"]


def test_render_speaks_typed_values() -> None:
    team = load_team(AGENTS / "healthcare")
    text = render(
        "{{patient_name}} on {{appointment_time}}, call {{callback_number}}",
        {
            "patient_name": "Dana Whitfield",
            "appointment_time": "2025-03-11T15:00-05:00",
            "callback_number": "+13125550187",
        },
        team.kinds,
    )
    assert text == "Dana Whitfield on Tuesday, March 11 at 3:00 PM, call (312) 555-0187"
