"""The event schema: every kind round-trips through the stream; unknown kinds are kept."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar

from backplane import (
    AgentTurn,
    Backplane,
    BargeInDecision,
    Event,
    ModelOutput,
    ToolAttempt,
    UnknownEvent,
    decode_event,
    event_kinds,
    register_event,
)


def test_schema_has_the_foundation_kinds() -> None:
    assert {
        "session_started",
        "session_ended",
        "caller_turn",
        "agent_turn",
        "model_output",
        "slot_set",
        "sentiment",
        "escalation",
        "handoff",
        "tool_attempt",
        "barge_in",
        "status",
    } <= set(event_kinds())


async def test_appended_events_round_trip(backplane: Backplane) -> None:
    await backplane.create_session("s", agent="a")
    appended: list[Event] = [
        AgentTurn(text="Hello, how can I help?", agent="a"),
        ModelOutput(
            agent="a",
            model="offline",
            items=[{"type": "message", "content": []}],
            usage={"input_tokens": 3},
        ),
        ToolAttempt(
            tool="book_appointment",
            arguments={"date": "2026-12-01"},
            result={"id": "b1"},
            outcome="ok",
            latency_ms=12.5,
            attempt=1,
            idempotency_key="k",
        ),
        BargeInDecision(
            decision="pause", t_ms=840, heard_ms=800, reason="onset", features={"p": 0.9}
        ),
    ]
    async with backplane.own("s", owner="w") as owned:
        await owned.begin_caller_turn("hi", agent="a")
        ids = [await owned.append(ev) for ev in appended]
    events = (await backplane.read_events("s"))[2:]
    assert [e.id for e in events] == ids
    for sent, got in zip(appended, events, strict=True):
        assert type(got) is type(sent)
        assert got.payload() == sent.payload()
        assert got.turn == 1 and got.v == 1


def test_unknown_kind_is_kept_not_dropped() -> None:
    event = decode_event(
        "1-0", {"kind": "future_thing", "v": "3", "turn": "4", "at": "1.5", "data": '{"x": 1}'}
    )
    assert isinstance(event, UnknownEvent)
    assert (event.kind, event.data, event.turn, event.v) == ("future_thing", {"x": 1}, 4, 3)


def test_new_kinds_register_without_changing_old_ones() -> None:
    @register_event
    @dataclass(frozen=True, kw_only=True, slots=True)
    class CallRecorded(Event):
        KIND: ClassVar[str] = "test_call_recorded"
        path: str

    event = decode_event(
        "1-0",
        {
            "kind": "test_call_recorded",
            "v": "1",
            "turn": "0",
            "at": "0",
            "data": '{"path": "a.wav", "extra": 1}',
        },
    )
    assert isinstance(event, CallRecorded) and event.path == "a.wav"


async def test_tail_sees_live_events(backplane: Backplane) -> None:
    await backplane.create_session("s", agent="a")
    seen: list[Event] = []

    async def watch() -> None:
        async for ev in backplane.tail("s", block_ms=100):
            seen.append(ev)
            if len(seen) == 3:
                return

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0.05)
    async with backplane.own("s", owner="w") as owned:
        await owned.begin_caller_turn("hi", agent="a")
        await owned.set_slot("x", 1, agent="a")
        await owned.handoff("b")
    await asyncio.wait_for(watcher, 5)
    assert [e.kind for e in seen] == ["caller_turn", "slot_set", "handoff"]
