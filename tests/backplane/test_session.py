"""Sessions: create, snapshot, slots, sentiment, escalation, status, end."""

from __future__ import annotations

import pytest

from backplane import (
    Backplane,
    CallerTurn,
    ManualClock,
    SessionEnded,
    SessionExists,
    SessionNotFound,
    SessionStatus,
    SlotSet,
)
from backplane.keys import ENDED_TTL_MS, session_keys


async def test_create_and_snapshot(backplane: Backplane, clock: ManualClock) -> None:
    snap = await backplane.create_session(
        "CA1", agent="reception", channel="voice", metadata={"from": "+15551234567"}
    )
    assert snap.agent == "reception"
    assert snap.status is SessionStatus.ACTIVE
    assert snap.turn == 0
    assert snap.channel == "voice"
    assert snap.metadata == {"from": "+15551234567"}
    assert snap.created_at == pytest.approx(clock.now())
    assert snap.slots == {}
    with pytest.raises(SessionExists):
        await backplane.create_session("CA1", agent="other")
    assert (await backplane.snapshot("CA1")).agent == "reception"


async def test_unknown_session(backplane: Backplane) -> None:
    with pytest.raises(SessionNotFound):
        await backplane.snapshot("nope")
    with pytest.raises(SessionNotFound):
        async with backplane.own("nope", owner="w1"):
            pass
    assert await backplane.read_events("nope") == []


async def test_turns_slots_and_events(backplane: Backplane, clock: ManualClock) -> None:
    await backplane.create_session("s1", agent="reception")
    async with backplane.own("s1", owner="w1") as s:
        clock.advance(5)
        assert await s.begin_caller_turn("Hi, I'm Ann", agent="reception") == 1
        slot = await s.set_slot("name", "Ann Lee", agent="reception", confidence=0.8)
        assert (slot.value, slot.confidence, slot.set_by, slot.turn) == (
            "Ann Lee",
            0.8,
            "reception",
            1,
        )
        assert slot.at == pytest.approx(clock.now())
        assert await s.begin_caller_turn("next week please", agent="reception") == 2
        await s.set_slot("name", "Anne Lee", agent="reception")
    snap = await backplane.snapshot("s1")
    assert snap.turn == 2
    assert snap.slot_values() == {"name": "Anne Lee"}
    assert snap.slots["name"].turn == 2
    events = await backplane.read_events("s1")
    kinds = [e.kind for e in events]
    assert kinds == ["session_started", "caller_turn", "slot_set", "caller_turn", "slot_set"]
    turns = [e.turn for e in events]
    assert turns == [0, 1, 1, 2, 2]
    first_turn = events[1]
    assert isinstance(first_turn, CallerTurn) and first_turn.text == "Hi, I'm Ann"
    assert all(e.at >= events[0].at for e in events)
    slot_events = [e for e in events if isinstance(e, SlotSet)]
    assert [e.value for e in slot_events] == ["Ann Lee", "Anne Lee"]
    assert slot_events[0].version < slot_events[1].version


async def test_structured_slot_values_round_trip(backplane: Backplane) -> None:
    await backplane.create_session("s1", agent="a")
    value = {"date": "2026-12-01T15:00:00", "tags": ["x", "é"], "n": 3, "f": 0.1, "none": None}
    async with backplane.own("s1", owner="w") as s:
        await s.set_slot("appointment", value, agent="a")
        await s.set_slot("empty", [], agent="a")
    snap = await backplane.snapshot("s1")
    assert snap.slots["appointment"].value == value
    assert snap.slots["empty"].value == []


async def test_sentiment_rolling_and_per_turn(backplane: Backplane) -> None:
    await backplane.create_session("s1", agent="a")
    async with backplane.own("s1", owner="w") as s:
        await s.begin_caller_turn("fine", agent="a")
        assert await s.record_sentiment(0.5) == pytest.approx(0.5)
        await s.begin_caller_turn("this is awful", agent="a")
        rolling = await s.record_sentiment(-1.0, source="vader")
    assert rolling == pytest.approx(0.4 * -1.0 + 0.6 * 0.5)
    snap = await backplane.snapshot("s1")
    assert snap.sentiment.per_turn == {1: 0.5, 2: -1.0}
    assert snap.sentiment.rolling == pytest.approx(rolling)


async def test_escalation_only_goes_up(backplane: Backplane) -> None:
    await backplane.create_session("s1", agent="a")
    async with backplane.own("s1", owner="w") as s:
        assert await s.escalate(2, "chest pain") == 2
        assert await s.escalate(1, "asked for a person") == 2
    snap = await backplane.snapshot("s1")
    assert snap.escalation.level == 2
    assert snap.escalation.reasons == ("chest pain", "asked for a person")


async def test_end_sets_ttl_and_refuses_writes(backplane: Backplane, redis_client: object) -> None:
    await backplane.create_session("s1", agent="a")
    async with backplane.own("s1", owner="w") as s:
        await s.set_status(SessionStatus.ON_HOLD)
        await s.end("caller hung up")
        with pytest.raises(SessionEnded):
            await s.set_slot("x", 1, agent="a")
    snap = await backplane.snapshot("s1")
    assert snap.status is SessionStatus.ENDED
    keys = session_keys("s1")
    ttl = await backplane.redis.pttl(keys.state)
    assert 0 < ttl <= ENDED_TTL_MS
    assert await backplane.redis.exists(keys.lease) == 0
    kinds = [e.kind for e in await backplane.read_events("s1")]
    assert kinds[-3:] == ["status", "status", "session_ended"]
    with pytest.raises(SessionEnded):
        async with backplane.own("s1", owner="w2"):
            pass


async def test_live_session_keys_have_an_idle_ttl(backplane: Backplane) -> None:
    await backplane.create_session("s1", agent="a")
    keys = session_keys("s1")
    for key in (keys.state, keys.events, keys.fence):
        assert await backplane.redis.pttl(key) > ENDED_TTL_MS
