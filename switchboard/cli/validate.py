"""`switchboard validate <dir>`: check definition files; errors name file:line:column."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from switchboard.definitions import check_path, load_team, team_folders, write_schemas


def validate(
    path: Annotated[Path, typer.Argument(help="A vertical folder or a folder of verticals.")],
    schema_out: Annotated[
        Path | None,
        typer.Option("--schema-out", help="Also write the JSON Schemas into this folder."),
    ] = None,
) -> None:
    """Validate agent definition files; exit code 1 when anything is wrong."""
    out = Console(highlight=False, soft_wrap=True)
    if schema_out is not None:
        for written in write_schemas(schema_out):
            out.print(f"wrote {written}")
    errors = check_path(path)
    if errors:
        for err in errors:
            # Plain text first: editors and CI annotators parse `file:line:col: message`.
            out.print(str(err), markup=False)
        files = len({e.path for e in errors})
        out.print(f"[red]{len(errors)} error(s) in {files} file(s)[/red]")
        raise typer.Exit(code=1)
    for folder in team_folders(path):
        team = load_team(folder)
        out.print(
            f"[green]ok[/green] {folder}: team {team.name!r}, entry {team.entry!r}, "
            f"{len(team.agents)} agents, {len(team.samples())} sample dialogues"
        )


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
