"""A walkthrough of the backplane: a session, slots, a handoff, a takeover, the event stream.

What `switchboard demo` ran before the voice demo existed; kept as `switchboard demo --backplane`
because it shows the state model without any audio.
"""

from __future__ import annotations

import uuid

from rich.console import Console
from rich.table import Table

from backplane import Backplane, StaleOwner


async def run_walkthrough(console: Console | None = None) -> str:
    """Run the walkthrough against REDIS_URL or the embedded server; returns the session ID."""
    console = console or Console()
    sid = f"demo-{uuid.uuid4().hex[:8]}"
    async with await Backplane.connect() as bp:
        await bp.create_session(sid, agent="reception", channel="chat")
        console.print(f"[bold]session[/] {sid} created, agent [cyan]reception[/]")
        async with bp.own(sid, owner="worker-1") as w1:
            await w1.begin_caller_turn(
                "Hi, this is Ann Lee, I'd like an appointment.", agent="reception"
            )
            await w1.set_slot("name", "Ann Lee", agent="reception", confidence=0.95)
            await w1.set_slot("callback", "+15551234567", agent="reception")
            await w1.record_sentiment(0.4, source="demo")
            handoff = await w1.handoff("scheduling", reason="wants an appointment")
            console.print(
                f"handoff [cyan]{handoff.from_agent}[/] -> [cyan]{handoff.to_agent}[/]"
                f" with slots {sorted(handoff.slots)}"
            )
            # worker-1 "crashes"; worker-2 takes the call over and fences worker-1 out.
            async with bp.own(sid, owner="worker-2", takeover=True) as w2:
                try:
                    await w1.set_slot("name", "stale write", agent="reception")
                except StaleOwner as exc:
                    console.print(f"[yellow]fenced out:[/] {exc}")
                await w2.begin_caller_turn("Next Tuesday at 3 works.", agent="scheduling")
                await w2.set_slot("date", "next Tuesday 15:00", agent="scheduling")
                await w2.end("booked")
        _print_state(console, await bp.snapshot(sid))
        table = Table(title=f"event stream sb:{{{sid}}}:events")
        for column in ("id", "turn", "kind", "details"):
            table.add_column(column)
        for event in await bp.read_events(sid):
            table.add_row(
                event.id or "",
                str(event.turn),
                event.kind,
                ", ".join(f"{k}={v!r}" for k, v in event.payload().items())[:90],
            )
        console.print(table)
    return sid


def _print_state(console: Console, snap: object) -> None:
    from backplane import SessionSnapshot

    if not isinstance(snap, SessionSnapshot):
        raise TypeError(type(snap).__name__)
    console.print(
        f"[bold]final state[/]: agent={snap.agent} status={snap.status.value} "
        f"turn={snap.turn} version={snap.version} "
        f"sentiment={snap.sentiment.rolling:+.2f} slots={snap.slot_values()}"
    )
