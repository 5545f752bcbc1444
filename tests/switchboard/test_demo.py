"""What `make demo` runs: the backplane walkthrough and the simulated voice call."""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import Path

import pytest
from rich.console import Console

from backplane import Backplane, Handoff, SessionStatus, ToolAttempt
from switchboard.walkthrough import run_walkthrough

ROOT = Path(__file__).resolve().parents[2]


async def test_walkthrough_shows_handoff_takeover_and_stream(
    redis_url: str, redis_sync: object, data_dir: Path
) -> None:
    out = io.StringIO()
    sid = await run_walkthrough(Console(file=out, width=200))
    text = out.getvalue()
    assert "handoff reception -> scheduling" in text
    assert "fenced out" in text
    async with await Backplane.connect(redis_url) as bp:
        snap = await bp.snapshot(sid)
        kinds = [e.kind for e in await bp.read_events(sid)]
    assert snap.status is SessionStatus.ENDED and snap.agent == "scheduling"
    assert snap.slot_values()["name"] == "Ann Lee"  # the stale worker's write never landed
    assert kinds[0] == "session_started" and kinds[-1] == "session_ended"
    assert "handoff" in kinds


@pytest.mark.slow
async def test_voice_demo_books_and_hangs_up(
    redis_url: str,
    redis_sync: object,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from switchboard.voice_demo import run_voice_demo

    monkeypatch.chdir(ROOT)  # the demo's team folder is agents/healthcare
    caplog.set_level(logging.INFO)  # on a failure, the call loop's lines show what was said
    out, limit_s = io.StringIO(), 200  # well inside pytest's timeout: a stuck call says where
    try:
        sid = await asyncio.wait_for(
            run_voice_demo(speed=4.0, console=Console(file=out, width=200)), timeout=limit_s
        )
    except TimeoutError:
        pytest.fail(f"the demo call did not end within {limit_s} s; it printed:\n{out.getvalue()}")
    async with await Backplane.connect(redis_url) as bp:
        snap = await bp.snapshot(sid)
        events = await bp.read_events(sid)
    # what each side said, as the backplane recorded it: the message when a spoken step fails
    shown = ("caller_turn", "agent_turn", "barge_in", "slot_set")
    said = [f"{e.kind}: {e.payload()}" for e in events if e.kind in shown]
    assert snap.status is SessionStatus.ENDED, said
    assert [e.to_agent for e in events if isinstance(e, Handoff)] == ["scheduling"], said
    assert {"patient_name", "date_of_birth", "appointment_time"} <= set(snap.slots), said
    booked = [e for e in events if isinstance(e, ToolAttempt) and e.tool == "book_appointment"]
    # The caller's number goes through synthesised speech and offline STT; once it is heard,
    # the booking must go through the real calendar service.
    if "callback_number" in snap.slots:
        assert booked and booked[-1].outcome == "ok"
    assert (data_dir / "calls" / f"{sid}.wav").exists()
    assert f"switchboard replay {sid}" in out.getvalue()
