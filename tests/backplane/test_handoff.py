"""The handoff transaction: agent change + slot snapshot + event, all or nothing."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
import redis.asyncio as aioredis

from backplane import Backplane, Conflict, Handoff, RetrySettings


async def test_handoff_carries_every_slot(backplane: Backplane) -> None:
    await backplane.create_session("s", agent="reception")
    async with backplane.own("s", owner="w") as owned:
        await owned.set_slot("name", "Ann Lee", agent="reception")
        await owned.set_slot("phone", "+15551234567", agent="reception", confidence=0.9)
        result = await owned.handoff("scheduling", reason="wants an appointment")
    assert result.from_agent == "reception" and result.to_agent == "scheduling"
    assert result.turn == 0 and result.at > 0
    assert {k: v["value"] for k, v in result.slots.items()} == {
        "name": "Ann Lee",
        "phone": "+15551234567",
    }
    snap = await backplane.snapshot("s")
    assert snap.agent == "scheduling"
    event = (await backplane.read_events("s"))[-1]
    assert isinstance(event, Handoff)
    assert event.slots == result.slots and event.reason == "wants an appointment"


async def test_handoff_from_wrong_agent_changes_nothing(backplane: Backplane) -> None:
    await backplane.create_session("s", agent="reception")
    async with backplane.own("s", owner="w") as owned:
        await owned.handoff("scheduling", from_agent="reception")
        before = await backplane.snapshot("s")
        with pytest.raises(Conflict):
            await owned.handoff("billing", from_agent="reception")
    assert await backplane.snapshot("s") == before


async def test_retried_write_with_same_operation_id_applies_once(backplane: Backplane) -> None:
    """A write whose reply was lost is re-sent with its op id: the second run is a no-op."""
    await backplane.create_session("s", agent="reception")
    async with backplane.own("s", owner="w") as owned:
        first = await owned._write("handoff", "scheduling", "r", "", op_id="op-1")
        second = await owned._write("handoff", "scheduling", "r", "", op_id="op-1")
    assert first == second
    handoffs = [e for e in await backplane.read_events("s") if isinstance(e, Handoff)]
    assert len(handoffs) == 1
    assert (await backplane.snapshot("s")).version == 2


@pytest.mark.slow
async def test_handoffs_survive_killed_connections_all_or_nothing(redis_url: str) -> None:
    """Kill the writer's connections again and again around the scripts.

    Every handoff must land exactly once (op ids make the retries no-ops) and each event's
    snapshot must match the state it was taken from.
    """
    victim = await Backplane.connect(
        redis_url, retry=RetrySettings(deadline_s=10, initial_backoff_s=0.001, max_backoff_s=0.02)
    )
    killer = aioredis.Redis.from_url(redis_url, decode_responses=True)
    await victim.redis.flushdb()
    await victim.create_session("s", agent="a0")
    await victim.redis.client_setname("victim")
    stop = asyncio.Event()

    async def kill_loop() -> int:
        kills = 0
        while not stop.is_set():
            for client in await killer.client_list():
                if client.get("name") != "killer" and int(client["id"]) != (
                    await killer.client_id()
                ):
                    with contextlib.suppress(Exception):
                        kills += await killer.client_kill_filter(_id=client["id"])
            await asyncio.sleep(0.003)
        return kills

    await killer.client_setname("killer")
    killing = asyncio.create_task(kill_loop())
    n = 60
    async with victim.own("s", owner="w") as owned:
        for i in range(1, n + 1):
            await owned.set_slot("step", i, agent=f"a{i - 1}")
            await owned.handoff(f"a{i}", from_agent=f"a{i - 1}")
    stop.set()
    kills = await killing
    snap = await victim.snapshot("s")
    events = await victim.read_events("s")
    handoffs = [e for e in events if isinstance(e, Handoff)]
    await victim.close()
    await killer.aclose()
    assert kills > 0, "the test must actually have killed connections"
    assert snap.agent == f"a{n}"
    assert [h.to_agent for h in handoffs] == [f"a{i}" for i in range(1, n + 1)]
    assert [h.slots["step"]["value"] for h in handoffs] == list(range(1, n + 1))
    assert snap.version == 1 + 2 * n  # no write applied twice
