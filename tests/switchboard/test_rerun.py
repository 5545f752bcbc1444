"""`replay --rerun`: a recorded multi-agent call reproduces exactly; a changed definition file
is reported at the turn where behaviour changes."""

from __future__ import annotations

import shutil
from pathlib import Path

from backplane import Backplane, Handoff, ToolAttempt
from switchboard.definitions import load_team
from switchboard.orchestrator import OrchestratorSettings, run_sample
from switchboard.rerun import RerunSettings, rerun_record
from tools.replay import export_session, load_session, read_export

SALON = Path(__file__).resolve().parents[2] / "agents" / "salon"


async def record_booking_call(backplane: Backplane, orchestration: OrchestratorSettings) -> str:
    """The salon's first sample: front_desk -> booking, slots, booking + SMS tools (run for
    real, through the tool runtime against the local calendar and Twilio stand-in)."""
    team = load_team(SALON)
    run = await run_sample(team, team.samples()[0], backplane, orchestration)
    assert run.ok, run.failures
    events = await backplane.read_events(run.session_id)
    assert any(isinstance(e, Handoff) for e in events)
    attempts = [e for e in events if isinstance(e, ToolAttempt)]
    assert {e.tool for e in attempts} >= {"book_appointment", "send_sms_confirmation"}
    assert {e.outcome for e in attempts} == {"ok"}
    return run.session_id


def changed_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "salon"
    shutil.copytree(SALON, folder)
    path = folder / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return folder


async def test_recorded_session_reproduces_exactly(
    backplane: Backplane, orchestration: OrchestratorSettings
) -> None:
    sid = await record_booking_call(backplane, orchestration)
    record = await load_session(backplane, sid)
    report = await rerun_record(record, RerunSettings(agents=SALON), backplane)
    assert report.same, report.divergence and report.divergence.describe()
    assert report.turns == 5 and report.tool_calls >= 2 and report.tools_missing == 0
    # The scratch session holds the same calls, served from the log.
    rerun_events = await backplane.read_events(report.rerun_session_id)
    replayed = [e for e in rerun_events if isinstance(e, ToolAttempt)]
    assert replayed and {e.outcome for e in replayed} == {"replayed"}


async def test_offline_model_reproduces_from_an_exported_file(
    backplane: Backplane, tmp_path: Path, orchestration: OrchestratorSettings
) -> None:
    sid = await record_booking_call(backplane, orchestration)
    path = tmp_path / "call.json"
    export_session(await load_session(backplane, sid), path)
    report = await rerun_record(
        read_export(path), RerunSettings(agents=SALON, model="offline"), backplane
    )
    assert report.same, report.divergence and report.divergence.describe()


async def test_changed_reply_is_reported_at_its_turn(
    backplane: Backplane, tmp_path: Path, orchestration: OrchestratorSettings
) -> None:
    sid = await record_booking_call(backplane, orchestration)
    record = await load_session(backplane, sid)
    # The booking agent takes over at turn 3; its intro changes.
    agents = changed_copy(
        tmp_path,
        "booking.yaml",
        "intro: Hi {{client_name}}, I can help with booking.",
        "intro: Hello {{client_name}}, bookings here.",
    )
    report = await rerun_record(record, RerunSettings(agents=agents, model="offline"), backplane)
    d = report.divergence
    assert d is not None and d.turn == 3 and d.kind == "reply"
    assert d.expected is not None and "I can help with booking" in d.expected.what[1]
    assert d.actual is not None and "bookings here" in d.actual.what[1]
    assert d.caller == "Sure, it's 917 555 0166."


async def test_removed_tool_is_reported_with_recorded_model_outputs(
    backplane: Backplane, tmp_path: Path, orchestration: OrchestratorSettings
) -> None:
    sid = await record_booking_call(backplane, orchestration)
    record = await load_session(backplane, sid)
    first_sms_turn = min(
        e.turn
        for e in record.events
        if isinstance(e, ToolAttempt) and e.tool == "send_sms_confirmation"
    )
    agents = changed_copy(
        tmp_path,
        "booking.yaml",
        "tools: [find_availability, book_appointment, send_sms_confirmation]",
        "tools: [find_availability, book_appointment]",
    )
    sms_action = (agents / "booking.yaml").read_text().split("  - tool: send_sms_confirmation")
    (agents / "booking.yaml").write_text(sms_action[0].rstrip() + "\n")
    report = await rerun_record(record, RerunSettings(agents=agents), backplane)
    d = report.divergence
    assert d is not None and d.turn == first_sms_turn, d and d.describe()
    assert "send_sms_confirmation" in d.describe()
