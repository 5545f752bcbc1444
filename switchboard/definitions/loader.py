"""Read a vertical's folder (`team.yaml` + one YAML file per agent) into a validated `Team`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .checks import cross_check
from .errors import DefinitionError, DefinitionErrors
from .pydantic_errors import convert
from .spec import AgentSpec, TeamSpec
from .team import Team
from .yamlpos import Located, load_located

TEAM_FILE = "team.yaml"


@dataclass(kw_only=True)
class Parsed:
    """Everything read from one folder, with positions, before cross-file checks."""

    root: Path
    team: TeamSpec | None = None
    team_doc: Located | None = None
    agents: dict[str, tuple[AgentSpec, Located]] = field(default_factory=dict)
    errors: list[DefinitionError] = field(default_factory=list)


def _validate(doc: Located, model: type[BaseModel], errors: list[DefinitionError]) -> Any:
    if not isinstance(doc.data, dict):
        kind = type(doc.data).__name__
        errors.append(doc.error((), f"expected a mapping of fields at the top, got {kind}"))
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        errors.extend(convert(exc, doc, model))
        return None


def _read(path: Path, errors: list[DefinitionError]) -> Located | None:
    try:
        return load_located(path)
    except DefinitionError as exc:
        errors.append(exc)
        return None


def parse_folder(root: Path) -> Parsed:
    """Parse and schema-check every file of a vertical folder, collecting all errors."""
    out = Parsed(root=root)
    team_path = root / TEAM_FILE
    if not team_path.is_file():
        out.errors.append(
            DefinitionError(
                team_path, 1, 1, "missing team.yaml (it names the entry agent and shared settings)"
            )
        )
    elif doc := _read(team_path, out.errors):
        out.team_doc = doc
        out.team = _validate(doc, TeamSpec, out.errors)
    for path in sorted(root.glob("*.y*ml")):
        if path.name == TEAM_FILE or path.suffix not in (".yaml", ".yml"):
            continue
        doc = _read(path, out.errors)
        if doc is None:
            continue
        agent = _validate(doc, AgentSpec, out.errors)
        if agent is None:
            continue
        if agent.name in out.agents:
            first = out.agents[agent.name][1]
            where = first.pos(("name",))
            out.errors.append(
                doc.error(
                    ("name",),
                    f"duplicate agent name {agent.name!r} (already defined at "
                    f"{first.path}:{where.line}); agent names must be unique in a team",
                )
            )
            continue
        out.agents[agent.name] = (agent, doc)
    # Cross-file checks only run on a folder whose files each parse: a broken file would make
    # every reference to its agent or slots look unknown, burying the one real error.
    if not out.errors and out.team is not None and out.team_doc is not None:
        out.errors.extend(cross_check(out.team, out.team_doc, out.agents))
    return out


def check_folder(root: Path | str) -> list[DefinitionError]:
    """All errors in one vertical folder (empty when valid)."""
    return parse_folder(Path(root)).errors


def load_team(root: Path | str) -> Team:
    """Load a vertical folder; raises `DefinitionErrors` listing every problem."""
    parsed = parse_folder(Path(root))
    if parsed.errors:
        raise DefinitionErrors(parsed.errors)
    if parsed.team is None:  # parse_folder reports a missing/invalid team.yaml as an error
        raise DefinitionErrors([DefinitionError(Path(root) / TEAM_FILE, 1, 1, "no team")])
    return Team(
        root=Path(root),
        spec=parsed.team,
        agents={name: spec for name, (spec, _) in parsed.agents.items()},
        files={name: doc.path for name, (_, doc) in parsed.agents.items()},
    )


def team_folders(path: Path | str) -> list[Path]:
    """`path` itself if it holds a team.yaml, else its sub-folders that hold YAML files."""
    root = Path(path)
    if (root / TEAM_FILE).is_file():
        return [root]
    return sorted(child for child in root.iterdir() if child.is_dir() and any(child.glob("*.y*ml")))


def check_path(path: Path | str) -> list[DefinitionError]:
    """Errors in every vertical under `path` (a vertical folder or a folder of verticals)."""
    root = Path(path)
    if not root.is_dir():
        return [DefinitionError(root, 1, 1, "not a folder of agent definitions")]
    folders = team_folders(root)
    if not folders:
        return [DefinitionError(root, 1, 1, "no team.yaml here nor in any sub-folder")]
    return [err for folder in folders for err in check_folder(folder)]
