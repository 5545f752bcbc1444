"""`switchboard chat`: scripted runs, and a SIGKILLed chat resumed by a new process."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backplane import Backplane, Handoff

ROOT = Path(__file__).resolve().parents[2]
HEALTHCARE = ROOT / "agents" / "healthcare"
CLI = [str(Path(sys.executable).parent / "switchboard")]
AT = "2025-03-05T10:00:00"


def _env(redis_url: str, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ, REDIS_URL=redis_url, PYTHONUNBUFFERED="1", COLUMNS="110")
    # The local calendar's SQLite file goes here; nothing external is configured, so the
    # chat starts its local services.
    env["SWITCHBOARD_DATA_DIR"] = str(data_dir)
    for name in ("OPENAI_API_KEY", "SWITCHBOARD_CALENDAR_URL", "SWITCHBOARD_CRM_URL"):
        env.pop(name, None)
    return env


def _read_until(proc: subprocess.Popen[str], marker: str, timeout: float = 120) -> str:
    """Read the chat's output until `marker` shows up (generous timeout: a 2-core CI box)."""
    assert proc.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        if time.monotonic() > deadline or proc.poll() is not None:
            raise AssertionError(f"never saw {marker!r}; output so far:\n{seen}")
        seen += proc.stdout.readline()
    return seen


def _talk_then_kill(redis_url: str, data_dir: Path) -> int:
    """Start an interactive chat, talk until scheduling answers, SIGKILL it; its return code."""
    first = subprocess.Popen(
        [*CLI, "chat", str(HEALTHCARE), "--session", "killme", "--at", AT],
        env=_env(redis_url, data_dir),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert first.stdin is not None
        first.stdin.write("Hi, I'd like to book a physical for myself.\nDana Whitfield.\n")
        first.stdin.write("March 3rd, 1985.\n")
        first.stdin.flush()
        _read_until(first, "[scheduling]")
        os.kill(first.pid, signal.SIGKILL)  # mid-conversation, lease still held
        return first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()


@pytest.mark.slow
async def test_scripted_chat_shows_agents_slots_and_handoffs(
    tmp_path: Path, redis_url: str, backplane: Backplane
) -> None:
    script = tmp_path / "call.txt"
    script.write_text(
        "# booking then billing\n"
        "Hi, I'd like to book a physical for myself.\nDana Whitfield.\nMarch 3rd, 1985.\n"
        "Next Tuesday at 3 would be great.\n"
        "It's 312-555-0187.\n"
        "Actually, I also have a question about a charge on my last bill.\n"
    )
    done = await asyncio.to_thread(
        subprocess.run,
        [
            *CLI,
            "chat",
            str(HEALTHCARE),
            "--script",
            str(script),
            "--session",
            "scripted",
            "--at",
            AT,
        ],
        env=_env(redis_url, tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for agent in ("[reception]", "[scheduling]", "[billing]"):
        assert agent in out
    assert "Tuesday, March 11 at" in out and "(312) 555-0187" in out
    assert "sentiment" in out and "escalation" in out
    assert "book_appointment ok" in out and "crm_writeback ok" in out
    assert "recorded (not sent): CRM record" in out
    # The booking went through the tool runtime to the local calendar service: its own
    # SQLite records hold it.
    with sqlite3.connect(tmp_path / "data" / "calendar" / "calendar.sqlite") as db:
        rows = db.execute("SELECT start, name, phone, reason, status FROM bookings").fetchall()
    assert rows == [
        ("2025-03-11T15:00", "Dana Whitfield", "+13125550187", "annual physical", "booked")
    ]
    events = await backplane.read_events("scripted")
    assert [(e.from_agent, e.to_agent) for e in events if isinstance(e, Handoff)] == [
        ("reception", "scheduling"),
        ("scheduling", "billing"),
    ]


@pytest.mark.slow
async def test_killed_chat_resumes_with_same_agent_and_slots(
    tmp_path: Path, redis_url: str, backplane: Backplane
) -> None:
    killed = await asyncio.to_thread(_talk_then_kill, redis_url, tmp_path / "data")
    assert killed == -signal.SIGKILL
    before = await backplane.snapshot("killme")
    assert before.agent == "scheduling"

    script = tmp_path / "rest.txt"
    script.write_text("Next Tuesday at 3 would be great.\n")
    second = await asyncio.to_thread(
        subprocess.run,
        [*CLI, "chat", str(HEALTHCARE), "--session", "killme", "--script", str(script), "--at", AT],
        env=_env(redis_url, tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert second.returncode == 0, second.stderr
    assert "resumed" in second.stdout
    assert "Thank you for calling" not in second.stdout  # no second greeting
    assert "[scheduling]" in second.stdout and "Tuesday, March 11 at" in second.stdout
    assert "full name" not in second.stdout and "date of birth" not in second.stdout
    after = await backplane.snapshot("killme")
    assert after.agent == "scheduling"
    assert after.slot_values()["patient_name"] == "Dana Whitfield"
    assert after.slot_values()["date_of_birth"] == "1985-03-03"
    assert after.slot_values()["appointment_time"] == "2025-03-11T15:00-05:00"
    assert after.fence > before.fence  # the new process fenced the killed one out
