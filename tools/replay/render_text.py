"""The timeline in a terminal (rich)."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tools.replay.timeline import Entry, Timeline, Tone

_STYLE = {
    Tone.SPEECH: "",
    Tone.INFO: "cyan",
    Tone.OK: "green",
    Tone.WARN: "yellow",
    Tone.ERROR: "bold red",
    Tone.QUIET: "dim",
}


def _what(entry: Entry, verbose: bool) -> Text:
    text = Text(entry.summary, style=_STYLE[entry.tone])
    if entry.kind == "tool_attempt":
        args = json.dumps(entry.detail.get("arguments", {}), ensure_ascii=False)
        text.append(f"\n  args {_cut(args, verbose)}", style="dim")
        if entry.detail.get("result") is not None:
            result = json.dumps(entry.detail["result"], ensure_ascii=False)
            text.append(f"\n  -> {_cut(result, verbose)}", style="dim")
    return text


def _cut(text: str, verbose: bool, limit: int = 90) -> str:
    return text if verbose or len(text) <= limit else text[: limit - 1] + "…"


def render_text(timeline: Timeline, console: Console | None = None, *, verbose: bool = False):
    """Print the timeline: a header with the session's numbers, then one row per event."""
    console = console or Console()
    s = timeline.stats
    console.print(
        f"[bold]session {timeline.session_id}[/bold]  {s['events']} events, "
        f"{s['caller_turns']} caller turns, {s['handoffs']} handoffs, "
        f"{s['tool_attempts']} tool attempts ({s['tool_failures']} failed), "
        f"{s['barge_ins']} barge-in decisions, {s['duration_s']:.1f} s"
    )
    if s["agents"]:
        console.print(f"agents: {' -> '.join(s['agents'])}")
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("+s", justify="right", style="dim", no_wrap=True)
    table.add_column("turn", justify="right", no_wrap=True)
    table.add_column("who", no_wrap=True)
    table.add_column("what", overflow="fold")
    for e in timeline.entries:
        who_style = "bold magenta" if e.actor == "caller" else "bold blue"
        table.add_row(
            f"{e.offset_s:6.2f}", str(e.turn), Text(e.actor, style=who_style), _what(e, verbose)
        )
    console.print(table)
    if timeline.snapshot:
        snap = timeline.snapshot
        slots = ", ".join(
            f"{k}={v.get('value')!r}" for k, v in sorted((snap.get("slots") or {}).items())
        )
        console.print(
            f"final: agent {snap.get('agent')}, status {snap.get('status')}, "
            f"escalation {(snap.get('escalation') or {}).get('level', 0)}; slots: {slots or '-'}"
        )
