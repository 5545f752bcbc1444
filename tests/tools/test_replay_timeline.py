"""The replay timeline: built from the stream or an exported file; text, JSON and HTML views."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from backplane import AgentTurn, Backplane, BargeInDecision, ManualClock, ToolAttempt
from tools.replay import (
    BadExport,
    build_timeline,
    export_session,
    load_session,
    read_export,
    render_html,
    render_text,
)

SID = "chat-replay-1"


async def record_call(backplane: Backplane, clock: ManualClock) -> None:
    await backplane.create_session(SID, agent="front_desk")
    async with backplane.own(SID, owner="w1") as s:
        await s.append(AgentTurn(text="Hello, how can I help?", agent="front_desk"))
        clock.advance(4)
        await s.begin_caller_turn("I need a haircut <b>tomorrow</b>", agent="front_desk")
        await s.record_sentiment(0.4, source="vader")
        await s.set_slot("service", "haircut", agent="front_desk", confidence=0.9)
        await s.handoff("booking", reason="wants to book", from_agent="front_desk")
        clock.advance(1.5)
        for attempt, outcome in ((1, "retry"), (2, "ok")):
            await s.append(
                ToolAttempt(
                    tool="book_appointment",
                    arguments={"start": "2026-09-15T09:00"},
                    result={"id": 1} if outcome == "ok" else {"failure": "unavailable"},
                    outcome=outcome,
                    error_class="ToolUnavailable" if outcome == "retry" else None,
                    latency_ms=12.5,
                    attempt=attempt,
                    idempotency_key="book_appointment:1:abc",
                )
            )
        await s.append(AgentTurn(text="Booked for 9:00.", agent="booking"))
        await s.append(BargeInDecision(decision="confirm", t_ms=900, heard_ms=700, reason="speech"))
        await s.escalate(1, "watch")
        await s.end("caller hung up")


async def test_timeline_from_the_stream(backplane: Backplane, clock: ManualClock) -> None:
    await record_call(backplane, clock)
    timeline = build_timeline(await load_session(backplane, SID))
    kinds = [e.kind for e in timeline.entries]
    assert kinds[:3] == ["session_started", "agent_turn", "caller_turn"]
    assert "handoff" in kinds and "barge_in" in kinds and kinds[-1] == "session_ended"
    assert timeline.stats["handoffs"] == 1 and timeline.stats["tool_attempts"] == 2
    assert timeline.stats["agents"] == ["front_desk", "booking"]
    assert timeline.stats["duration_s"] == pytest.approx(5.5)
    tool = [e for e in timeline.entries if e.kind == "tool_attempt"]
    assert tool[0].summary.startswith("book_appointment #1 retry ToolUnavailable 12.5 ms")
    assert tool[0].tone.value == "warn" and tool[1].tone.value == "ok"
    handoff = next(e for e in timeline.entries if e.kind == "handoff")
    assert handoff.summary == "handoff front_desk -> booking: wants to book (slots: service)"


async def test_text_json_and_html_views(backplane: Backplane, clock: ManualClock) -> None:
    await record_call(backplane, clock)
    timeline = build_timeline(await load_session(backplane, SID))
    console = Console(record=True, width=160)
    render_text(timeline, console)
    text = console.export_text()
    assert "session chat-replay-1" in text and "front_desk -> booking" in text
    assert "book_appointment #2 ok" in text
    doc = json.loads(json.dumps(timeline.to_dict()))
    assert doc["session_id"] == SID and len(doc["entries"]) == len(timeline.entries)
    page = render_html(timeline)
    assert page.startswith("<!doctype html>") and "<script" not in page
    assert "&lt;b&gt;tomorrow&lt;/b&gt;" in page and "<b>tomorrow" not in page  # escaped
    assert "http://" not in page and "https://" not in page  # self-contained


async def test_export_round_trip(backplane: Backplane, clock: ManualClock, tmp_path: Path) -> None:
    await record_call(backplane, clock)
    live = await load_session(backplane, SID)
    path = tmp_path / "call.json"
    export_session(live, path)
    again = read_export(path)
    assert again.session_id == SID
    assert [e.to_dict() for e in again.events] == [e.to_dict() for e in live.events]
    assert build_timeline(again).to_dict() == build_timeline(live).to_dict()


def test_bad_export_files(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{}")
    with pytest.raises(BadExport):
        read_export(path)
    path.write_text("not json")
    with pytest.raises(BadExport):
        read_export(path)
