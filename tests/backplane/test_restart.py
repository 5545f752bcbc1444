"""Redis restarted mid-session: the store rides it out, no half-applied or doubled writes."""

from __future__ import annotations

import asyncio
import time

import pytest

from backplane import Backplane, Handoff, RetrySettings, SlotSet
from tests.aof_redis import AofRedis

pytestmark = pytest.mark.slow


async def test_store_recovers_across_a_restart(aof_redis: AofRedis) -> None:
    bp = await Backplane.connect(
        aof_redis.url, retry=RetrySettings(deadline_s=15, initial_backoff_s=0.01, max_backoff_s=0.2)
    )
    await bp.create_session("s", agent="a0")
    n = 40
    restarted = asyncio.Event()

    async def restart_midway() -> None:
        await asyncio.sleep(0.05)
        await asyncio.to_thread(aof_redis.stop)
        await asyncio.sleep(0.3)  # writes pile up against a dead server meanwhile
        await asyncio.to_thread(aof_redis.start)
        restarted.set()

    async with bp.own("s", owner="w", ttl_ms=30_000) as owned:
        restarting = asyncio.create_task(restart_midway())
        for i in range(1, n + 1):
            await owned.set_slot("step", i, agent=f"a{i - 1}")
            await owned.handoff(f"a{i}", from_agent=f"a{i - 1}")
            await asyncio.sleep(0.01)
        await restarting
    assert restarted.is_set()
    snap = await bp.snapshot("s")
    events = await bp.read_events("s")
    await bp.close()
    assert snap.agent == f"a{n}"
    assert snap.slot_values() == {"step": n}
    assert snap.version == 1 + 2 * n
    assert [e.to_agent for e in events if isinstance(e, Handoff)] == [
        f"a{i}" for i in range(1, n + 1)
    ]
    assert [e.value for e in events if isinstance(e, SlotSet)] == list(range(1, n + 1))


async def test_gives_up_with_a_clear_error_when_redis_stays_down(aof_redis: AofRedis) -> None:
    from backplane import BackplaneUnavailable

    bp = await Backplane.connect(aof_redis.url, retry=RetrySettings(deadline_s=1.0))
    await bp.create_session("s", agent="a")
    aof_redis.stop()
    started = time.monotonic()
    with pytest.raises(BackplaneUnavailable):
        await bp.snapshot("s")
    assert 0.9 < time.monotonic() - started < 10
    await bp.redis.aclose()
