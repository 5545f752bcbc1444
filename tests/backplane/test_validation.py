"""Bad input: a clear error, and the session exactly as it was."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from backplane import AgentTurn, Backplane, InvalidInput, OwnedSession, SessionNotFound
from backplane.keys import MAX_SLOT_VALUE_BYTES

BAD_WRITES: list[tuple[str, Callable[[OwnedSession], Awaitable[Any]], str]] = [
    (
        "oversized value",
        lambda s: s.set_slot("notes", "x" * (MAX_SLOT_VALUE_BYTES + 1), agent="a"),
        "limit is 65536",
    ),
    ("lone surrogate", lambda s: s.set_slot("name", "Ann\udcff", agent="a"), "UTF-8"),
    ("raw bytes", lambda s: s.set_slot("name", b"\xff\xfe", agent="a"), "raw bytes"),
    ("object value", lambda s: s.set_slot("name", object(), agent="a"), "JSON"),
    ("nan value", lambda s: s.set_slot("score", float("nan"), agent="a"), "JSON"),
    ("bad slot name", lambda s: s.set_slot("Bad Name", 1, agent="a"), "slot name"),
    ("slot name type", lambda s: s.set_slot(3, 1, agent="a"), "slot name"),  # type: ignore
    (
        "confidence type",
        lambda s: s.set_slot("x", 1, agent="a", confidence="high"),  # type: ignore
        "number",
    ),
    ("confidence range", lambda s: s.set_slot("x", 1, agent="a", confidence=1.5), "outside"),
    ("agent name", lambda s: s.set_slot("x", 1, agent="{evil}"), "agent name"),
    ("handoff target", lambda s: s.handoff(""), "agent name"),
    ("turn text type", lambda s: s.begin_caller_turn(b"hi", agent="a"), "text"),  # type: ignore
    ("sentiment range", lambda s: s.record_sentiment(3.0), "outside"),
    ("sentiment bool", lambda s: s.record_sentiment(True), "number"),
    ("escalation level", lambda s: s.escalate(True, "x"), "integer"),  # type: ignore
    ("reason size", lambda s: s.escalate(1, "r" * 5000), "limit"),
    ("status", lambda s: s.set_status("on_fire"), "not one of"),
    ("history item", lambda s: s.history.add([{"bytes": b"x"}]), "not storable"),
    ("stateful event", lambda s: s.append(_slot_event()), "own method"),
    ("event payload", lambda s: s.append(AgentTurn(text="\udcff", agent="a")), "UTF-8"),
]


def _slot_event() -> Any:
    from backplane import SlotSet

    return SlotSet(name="x", value=1)


@pytest.mark.parametrize(("label", "write", "message"), BAD_WRITES, ids=[b[0] for b in BAD_WRITES])
async def test_bad_write_is_refused_and_changes_nothing(
    backplane: Backplane,
    label: str,
    write: Callable[[OwnedSession], Awaitable[Any]],
    message: str,
) -> None:
    await backplane.create_session("s", agent="a")
    async with backplane.own("s", owner="w") as owned:
        await owned.set_slot("name", "Ann", agent="a")
        before = await backplane.snapshot("s")
        events_before = await backplane.read_events("s")
        with pytest.raises(InvalidInput, match=message):
            await write(owned)
    assert await backplane.snapshot("s") == before
    assert await backplane.read_events("s") == events_before


@pytest.mark.parametrize("sid", ["", "{CA1}", "a b", "x" * 129, "é", "-start", None, 42])
async def test_bad_session_ids(backplane: Backplane, sid: Any) -> None:
    with pytest.raises(InvalidInput, match="session_id"):
        await backplane.create_session(sid, agent="a")
    assert await backplane.redis.dbsize() == 0


async def test_twilio_call_sid_is_a_valid_session_id(backplane: Backplane) -> None:
    sid = "CA" + "0123456789abcdef" * 2
    await backplane.create_session(sid, agent="reception")
    assert (await backplane.snapshot(sid)).session_id == sid
    keys = await backplane.redis.keys("*")
    assert keys and all(k.startswith(f"sb:{{{sid}}}:") for k in keys)  # one cluster slot


async def test_writes_to_a_missing_session(backplane: Backplane) -> None:
    with pytest.raises(SessionNotFound):
        await backplane.acquire("ghost", owner="w")
    assert await backplane.redis.dbsize() == 0
