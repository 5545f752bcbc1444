"""`switchboard call` in its own process against the live healthcare server: the scripted
caller, with the server's backplane, books through both agents and leaves a recording."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import soundfile as sf

from backplane import AgentTurn, BargeInDecision, CallerTurn, SessionStatus
from tests.e2e.conftest import AUTH_TOKEN, LiveCall

pytestmark = pytest.mark.slow

SCRIPT = """\
call_sid: CAcli0000000000000000000000000001
lines:
  - say: Hi, I'd like to book a physical for myself.
  - say: My name is Dana Whitfield.
  - say: It is March third, nineteen eighty-five.
"""


async def test_switchboard_call_plays_a_script_against_a_running_server(
    healthcare: LiveCall, redis_url: str, tmp_path: Path
) -> None:
    script = tmp_path / "caller.yaml"
    script.write_text(SCRIPT)
    wav = tmp_path / "call.wav"
    argv = ["-m", "switchboard", "call", "--script", str(script), "--server", healthcare.url]
    argv += ["--auth-token", AUTH_TOKEN, "--redis-url", redis_url, "--record", str(wav)]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=240)
    text = out.decode()
    assert proc.returncode == 0, text
    assert "3 caller lines" in text and "unanswered" not in text, text

    sid = "CAcli0000000000000000000000000001"
    events = await healthcare.backplane.read_events(sid)
    assert len([e for e in events if isinstance(e, CallerTurn)]) == 3
    # greeting + three answers, each heard to the end: the caller never talked into a reply
    replies = [e for e in events if isinstance(e, AgentTurn)]
    assert len(replies) == 4 and not any(r.interrupted for r in replies), replies
    assert not [e for e in events if isinstance(e, BargeInDecision) and e.decision == "confirm"]
    snap = await healthcare.backplane.snapshot(sid)
    assert snap.status == SessionStatus.ENDED and snap.agent == "scheduling"
    assert snap.slots["date_of_birth"].value == "1985-03-03"
    data, rate = sf.read(wav, dtype="int16")
    assert rate == 8000 and data.shape[1] == 2
