"""`switchboard chat <vertical>`: talk to a team in the terminal, with its state beside each reply.

`--script FILE` plays caller lines from a file (one per line, `#` comments); `--session ID`
resumes a session (even one whose chat process was killed) with its agent, slots and history.
Tools run for real through the tool runtime; services the environment does not configure
(calendar, CRM, Twilio) are started locally (`switchboard.local_services`).
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from backplane import Backplane, Clock, ManualClock, SessionSnapshot, SystemClock, ToolAttempt
from switchboard.definitions import DefinitionErrors, Team, load_team, spoken
from switchboard.local_services import LocalServices
from switchboard.orchestrator import Orchestrator, OrchestratorSettings

TURN_SECONDS = 8.0
"""With `--at`, the manual call clock moves this much per caller line."""


def _tool_line(attempt: ToolAttempt) -> str:
    """'book_appointment ok' (+ the booking/record id a service gave back)."""
    ref = attempt.result.get("id") if isinstance(attempt.result, dict) else None
    return f"{attempt.tool} {attempt.outcome}" + (f" (id {ref})" if ref else "")


def _state_table(
    team: Team, snap: SessionSnapshot, tools: list[ToolAttempt] | None = None
) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    table.add_row("agent", snap.agent)
    table.add_row("sentiment", f"{snap.sentiment.rolling:+.2f}")
    reasons = "; ".join(snap.escalation.reasons) or "-"
    table.add_row("escalation", f"{snap.escalation.level} ({reasons})")
    for name, slot in sorted(snap.slots.items()):
        table.add_row(name, spoken(slot.value, team.kinds.get(name)))
    for attempt in tools or []:
        table.add_row("tool", _tool_line(attempt))
    return table


def show(
    console: Console,
    team: Team,
    reply: str,
    snap: SessionSnapshot,
    tools: list[ToolAttempt] | None = None,
) -> None:
    """One reply beside the call state: agent, slots, sentiment, escalation, and the tool
    attempts of this turn."""
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(ratio=3)
    grid.add_column(ratio=2)
    grid.add_row(
        Panel(Text(reply), title=Text(f"[{snap.agent}]"), title_align="left", border_style="green"),
        Panel(_state_table(team, snap, tools), title="call state", title_align="left"),
    )
    console.print(grid)


async def _lines(script: list[str] | None, console: Console) -> AsyncIterator[str]:
    if script is not None:
        for raw in script:
            line = raw.strip()
            if line and not line.startswith("#"):
                yield line
        return
    while True:
        if sys.stdin.isatty():
            console.print("[bold]you>[/bold] ", end="")
        raw = await asyncio.to_thread(sys.stdin.readline)
        if not raw or raw.strip() in ("/quit", "/exit"):
            return
        if raw.strip():
            yield raw.strip()


async def run_chat(
    team: Team,
    *,
    script: list[str] | None,
    session_id: str | None,
    redis_url: str | None,
    at: datetime | None,
    end: bool,
    console: Console,
) -> None:
    clock: Clock = SystemClock()
    if at is not None:
        start = at if at.tzinfo else at.replace(tzinfo=team.tz)
        clock = ManualClock(start.timestamp())
    bp = await Backplane.connect(redis_url, clock=clock)
    local = LocalServices()
    try:
        settings = OrchestratorSettings(services=local.start())
        for line in local.started():
            console.print(f"local service: {line}", markup=False)
        sid = session_id or f"chat-{uuid.uuid4().hex[:12]}"
        resumed = await bp.exists(sid)
        if not resumed:
            await bp.create_session(sid, agent=team.entry, channel="chat", clock=clock)
        # A resumed chat takes the session over: its previous process may have been killed
        # while holding the lease, and the fencing token shuts that process out for good.
        owner = f"chat-{uuid.uuid4().hex[:6]}"
        async with (
            bp.own(sid, owner=owner, takeover=resumed) as owned,
            Orchestrator(team, settings) as orchestrator,
        ):
            console.print(f"session {sid} ({'resumed' if resumed else 'new'}), team {team.name}")
            conversation = await orchestrator(owned, resumed=resumed)
            if not resumed:
                greeting = await conversation.greet()
                if greeting:
                    show(console, team, greeting, await owned.snapshot())
            else:
                show(console, team, "(resumed)", await owned.snapshot())
            sys.stdout.flush()
            async for line in _lines(script, console):
                if isinstance(clock, ManualClock):
                    clock.advance(TURN_SECONDS)
                console.print(f"[bold]caller>[/bold] {escape(line)}")
                reply = await conversation.turn(line)
                snap = await owned.snapshot()
                show(console, team, reply, snap, await _tool_attempts(bp, sid, snap.turn))
                sys.stdout.flush()
            if end:
                await owned.end("chat finished")
        _show_recorded(console, local)
    finally:
        local.stop()
        await bp.close()


async def _tool_attempts(bp: Backplane, sid: str, turn: int) -> list[ToolAttempt]:
    events = await bp.read_events(sid)
    return [e for e in events if isinstance(e, ToolAttempt) and e.turn == turn]


def _show_recorded(console: Console, local: LocalServices) -> None:
    """What the local recorder received instead of Twilio or the CRM."""
    for rec in local.recorded():
        if rec.form.get("Body"):
            what = f"SMS to {rec.form.get('To')}: {rec.form['Body']}"
        elif rec.form.get("Twiml"):
            what = f"call update: {rec.form['Twiml']}"
        else:
            what = f"CRM record: {rec.json}"
        console.print(f"recorded (not sent): {what}", markup=False)


def chat(
    vertical: Annotated[Path, typer.Argument(help="A vertical folder, e.g. agents/healthcare.")],
    script: Annotated[
        Path | None, typer.Option("--script", help="Caller lines, one per line.")
    ] = None,
    session: Annotated[
        str | None, typer.Option("--session", help="Session ID to create or resume.")
    ] = None,
    redis_url: Annotated[
        str | None, typer.Option("--redis", help="Redis URL (default: REDIS_URL or embedded).")
    ] = None,
    at: Annotated[
        datetime | None,
        typer.Option("--at", help="Start a manual call clock here (team timezone)."),
    ] = None,
    end: Annotated[bool, typer.Option("--end", help="End the session when done.")] = False,
    width: Annotated[int, typer.Option(help="Output width when not a terminal.")] = 110,
) -> None:
    """Chat with a vertical's agents (offline model unless OPENAI_API_KEY is set)."""
    console = Console(width=None if sys.stdout.isatty() else width, highlight=False)
    try:
        team = load_team(vertical)
    except DefinitionErrors as exc:
        console.print(str(exc), markup=False)
        raise typer.Exit(code=1) from None
    asyncio.run(
        run_chat(
            team,
            script=script.read_text(encoding="utf-8").splitlines() if script else None,
            session_id=session,
            redis_url=redis_url,
            at=at,
            end=end,
            console=console,
        )
    )


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)
