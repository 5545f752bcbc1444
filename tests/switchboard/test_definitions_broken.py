"""Every broken definition fixture yields exactly its expected file:line:column error."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from switchboard.definitions import DefinitionErrors, check_folder, load_team

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p for p in (FIXTURES / "broken").iterdir() if p.is_dir())
_WHERE = re.compile(r"^(?P<file>[\w.]+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")


def _build(case: Path, target: Path) -> dict[str, object]:
    shutil.copytree(FIXTURES / "base", target)
    spec = yaml.safe_load((case / "case.yaml").read_text())
    for name in spec.get("delete", []):
        (target / name).unlink()
    for path in case.iterdir():
        if path.name != "case.yaml":
            shutil.copy(path, target / path.name)
    return spec


def test_base_fixture_is_valid() -> None:
    team = load_team(FIXTURES / "base")
    assert sorted(team.agents) == ["desk", "front"]


def test_there_are_at_least_fifteen_kinds_of_breakage() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_definition(case: Path, tmp_path: Path) -> None:
    spec = _build(case, tmp_path / "team")
    expected = _WHERE.match(str(spec["error"]))
    assert expected, f"bad case.yaml in {case.name}"
    errors = check_folder(tmp_path / "team")
    assert len(errors) == 1, "\n".join(map(str, errors))
    err = errors[0]
    assert err.path.name == expected["file"]
    assert (err.line, err.column) == (int(expected["line"]), int(expected["col"])), str(err)
    assert expected["message"] in err.message
    assert str(err).startswith(f"{err.path}:{err.line}:{err.column}: ")
    with pytest.raises(DefinitionErrors):
        load_team(tmp_path / "team")
