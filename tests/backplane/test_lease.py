"""Ownership: lease, fencing tokens, takeover; a fenced-out worker cannot write."""

from __future__ import annotations

import asyncio

import pytest

from backplane import Backplane, LeaseHeld, StaleOwner
from backplane.keys import session_keys


async def test_two_workers_race_for_one_session(backplane: Backplane) -> None:
    await backplane.create_session("race", agent="a")
    results = await asyncio.gather(
        *(backplane.acquire("race", owner=f"w{i}", keep_alive=False) for i in range(8)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1
    assert len(losers) == 7 and all(isinstance(r, LeaseHeld) for r in losers)
    assert all(r.holder == winners[0].owner for r in losers)  # type: ignore[union-attr]
    await winners[0].release()


async def test_takeover_fences_out_the_old_owner(backplane: Backplane) -> None:
    await backplane.create_session("s", agent="reception")
    old = await backplane.acquire("s", owner="worker-1", keep_alive=False)
    await old.set_slot("name", "Ann", agent="reception")
    with pytest.raises(LeaseHeld):
        await backplane.acquire("s", owner="worker-2", keep_alive=False)
    new = await backplane.acquire("s", owner="worker-2", takeover=True, keep_alive=False)
    assert new.token > old.token
    before = await backplane.snapshot("s")
    events_before = await backplane.read_events("s")

    with pytest.raises(StaleOwner) as info:
        await old.set_slot("name", "Mallory", agent="reception")
    assert info.value.token == old.token and info.value.current == new.token
    with pytest.raises(StaleOwner):
        await old.handoff("billing")
    with pytest.raises(StaleOwner):
        await old.begin_caller_turn("hello", agent="reception")
    with pytest.raises(StaleOwner):
        await old.history.add([{"role": "user", "content": "x"}])
    with pytest.raises(StaleOwner):
        await old.renew()

    after = await backplane.snapshot("s")
    assert after == before  # nothing the stale owner tried changed anything
    assert await backplane.read_events("s") == events_before
    await new.set_slot("name", "Ann Lee", agent="reception")
    assert (await backplane.snapshot("s")).slot_values() == {"name": "Ann Lee"}
    await old.release()  # a stale release must not free the new owner's lease
    assert await backplane.redis.get(session_keys("s").lease) == f"worker-2|{new.token}"
    await new.release()


async def test_expired_lease_is_taken_at_once(backplane: Backplane) -> None:
    await backplane.create_session("s", agent="a")
    first = await backplane.acquire("s", owner="w1", ttl_ms=50, keep_alive=False)
    await asyncio.sleep(0.3)  # far past the 50 ms TTL
    second = await backplane.acquire("s", owner="w2", keep_alive=False)
    assert second.token == first.token + 1
    with pytest.raises(StaleOwner):
        await first.set_slot("x", 1, agent="a")
    await second.release()


async def test_reacquire_by_same_owner_keeps_token(backplane: Backplane) -> None:
    await backplane.create_session("s", agent="a")
    first = await backplane.acquire("s", owner="w1", keep_alive=False)
    again = await backplane.acquire("s", owner="w1", keep_alive=False)
    assert again.token == first.token
    await first.set_slot("x", 1, agent="a")
    await again.release()


async def test_keep_alive_renews_past_the_ttl(backplane: Backplane) -> None:
    await backplane.create_session("s", agent="a")
    async with backplane.own("s", owner="w1", ttl_ms=150) as owned:
        await asyncio.sleep(0.6)  # four TTLs: only renewals keep it alive
        with pytest.raises(LeaseHeld):
            await backplane.acquire("s", owner="w2", keep_alive=False)
        await owned.set_slot("x", 1, agent="a")
    # released on exit: free for the next worker at once
    nxt = await backplane.acquire("s", owner="w2", keep_alive=False)
    await nxt.release()


async def test_keep_alive_notices_takeover(backplane: Backplane) -> None:
    await backplane.create_session("s", agent="a")
    old = await backplane.acquire("s", owner="w1", ttl_ms=150)
    new = await backplane.acquire("s", owner="w2", takeover=True, keep_alive=False)
    for _ in range(40):
        if old.lost:
            break
        await asyncio.sleep(0.05)
    assert old.lost
    await old.release()
    await new.release()
