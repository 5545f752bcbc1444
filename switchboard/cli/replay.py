"""`switchboard replay <session>`: a recorded call as a timeline; export it; rerun it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

import voice.events  # noqa: F401  (registers the voice layer's event kinds for decoding)
from backplane import Backplane, SessionNotFound
from tools.replay import (
    BadExport,
    SessionRecord,
    build_timeline,
    export_session,
    load_session,
    read_export,
    render_html,
    render_text,
)


async def _load(session: str | None, file: Path | None) -> SessionRecord:
    if file is not None:
        return read_export(file)
    if session is None:
        raise typer.BadParameter("give a session ID or --file")
    bp = await Backplane.connect()
    try:
        return await load_session(bp, session)
    finally:
        await bp.close()


def replay(
    session: Annotated[str | None, typer.Argument(help="Session ID (a CallSid for calls).")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read an exported session file instead.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write a self-contained HTML page.")
    ] = None,
    export: Annotated[
        Path | None, typer.Option("--export", help="Write the session to a file (bug reports).")
    ] = None,
    rerun: Annotated[
        bool, typer.Option("--rerun", help="Run the conversation again, report divergence.")
    ] = False,
    agents: Annotated[
        Path | None, typer.Option("--agents", help="Definitions folder of the team (rerun).")
    ] = None,
    model: Annotated[
        str,
        typer.Option("--model", help="Rerun: 'recorded' (serve the log) or 'offline'."),
    ] = "recorded",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Untruncated values.")] = False,
) -> None:
    """Show a recorded session as a timeline (turns, handoffs, slots, tools, barge-ins)."""
    console = Console(highlight=False, soft_wrap=not verbose)
    try:
        record = asyncio.run(_load(session, file))
    except (SessionNotFound, BadExport) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=1) from None
    timeline = build_timeline(record)
    if export is not None:
        export_session(record, export)
        console.print(f"wrote {export}", style="dim")
    if html is not None:
        html.write_text(render_html(timeline), encoding="utf-8")
        console.print(f"wrote {html}", style="dim")
    if as_json:
        print(json.dumps(timeline.to_dict(), ensure_ascii=False, indent=1, default=str))
    elif not rerun and export is None and html is None:
        render_text(timeline, console, verbose=verbose)
    if rerun:
        from switchboard.rerun import RerunSettings, print_report, rerun_record

        if agents is None:
            raise typer.BadParameter("--rerun needs --agents <team folder>")
        report = asyncio.run(rerun_record(record, RerunSettings(agents=agents, model=model)))
        print_report(report, console)
        if not report.same:
            raise typer.Exit(code=2)


def register(app: typer.Typer) -> None:
    app.command("replay")(replay)
