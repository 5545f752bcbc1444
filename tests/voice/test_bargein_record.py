"""Barge-in decisions reach the session in order and off the frame path, through a Redis
outage (a real redis-server of the test's own, stopped and started again)."""

from __future__ import annotations

import asyncio
import time

import pytest

from backplane import Backplane, BargeInDecision, OwnedSession, RetrySettings
from tests.aof_redis import AofRedis
from tests.voice.test_bargein import _clip, run
from voice.bargein import Confirm, Pause
from voice.bargein_record import DecisionLog, DecisionLogSettings
from voice.silero import SharedSilero

pytestmark = pytest.mark.slow

QUICK = RetrySettings(deadline_s=0.3, initial_backoff_s=0.01, max_backoff_s=0.05)


def _decision(t_ms: int) -> BargeInDecision:
    return BargeInDecision(decision="pause", t_ms=t_ms, heard_ms=t_ms, reason="onset", features={})


async def _owned_call(
    redis: AofRedis, retry: RetrySettings = QUICK
) -> tuple[Backplane, OwnedSession]:
    """A live session "call" on the test's own Redis, owned by worker w1 (no keep-alive: the
    lease outlives the test)."""
    bp = await Backplane.connect(redis.url, retry=retry)
    await bp.create_session("call", agent="front")
    return bp, await bp.acquire("call", owner="w1", ttl_ms=60_000, keep_alive=False)


async def _decisions(bp: Backplane, session_id: str) -> list[int]:
    return [e.t_ms for e in await bp.read_events(session_id) if isinstance(e, BargeInDecision)]


async def test_decisions_made_while_redis_is_away_land_in_order_once_it_is_back(
    aof_redis: AofRedis,
) -> None:
    bp, owned = await _owned_call(aof_redis)
    log = DecisionLog(DecisionLogSettings(retry_pause_s=0.05))
    for t in (20, 40, 60):
        log.put(owned, _decision(t))
    assert await log.flush(5)
    await asyncio.to_thread(aof_redis.stop)
    started = time.monotonic()
    for t in (80, 100, 120, 140):
        log.put(owned, _decision(t))  # returns at once: the frame that decided goes on
    assert time.monotonic() - started < 0.1
    assert not await log.flush(1.0)  # the backplane gave up (0.3 s) more than once meanwhile
    assert log.pending == 4
    await asyncio.to_thread(aof_redis.start)
    assert await log.flush(10)
    await log.close()
    assert await _decisions(bp, "call") == [20, 40, 60, 80, 100, 120, 140]  # none twice
    assert (log.written, log.lost) == (7, 0)
    await owned.release()
    await bp.close()


async def test_a_session_another_worker_took_over_gets_no_more_decisions(
    aof_redis: AofRedis,
) -> None:
    bp, old = await _owned_call(aof_redis)
    log = DecisionLog()
    log.put(old, _decision(20))
    assert await log.flush(5)
    new = await bp.acquire("call", owner="w2", takeover=True, ttl_ms=60_000, keep_alive=False)
    log.put(old, _decision(40))
    log.put(old, _decision(60))
    assert await log.flush(5)  # given up on, not retried forever
    await log.close()
    assert await _decisions(bp, "call") == [20]
    assert (log.written, log.lost) == (1, 2)
    await new.release()
    await bp.close()


async def test_close_gives_up_after_its_timeout_and_counts_what_it_lost(
    aof_redis: AofRedis,
) -> None:
    bp, owned = await _owned_call(aof_redis)
    await asyncio.to_thread(aof_redis.stop)
    log = DecisionLog(DecisionLogSettings(retry_pause_s=0.05, close_timeout_s=1.0))
    log.put(owned, _decision(20))
    started = time.monotonic()
    await log.close()
    assert 0.9 < time.monotonic() - started < 5
    assert (log.written, log.lost, log.pending) == (0, 1, 0)
    await bp.redis.aclose()


async def test_the_frame_path_pauses_and_confirms_while_redis_is_away(
    aof_redis: AofRedis,
) -> None:
    """The controller on a live session whose Redis stops before the caller speaks: it still
    pauses and confirms as the frames arrive (the backplane would have held each decision's
    frame for its 30 s retry deadline), and the decisions are in the stream once Redis is
    back."""
    bp, owned = await _owned_call(aof_redis, RetrySettings(deadline_s=30, max_backoff_s=0.2))
    mic, agent = _clip("d0018")  # speech at 830 ms
    silero = SharedSilero()
    await asyncio.to_thread(aof_redis.stop)
    started = time.monotonic()
    ctl, _line, actions, _ = await run(mic, agent, silero, session=owned, until=Confirm)
    fed_s = time.monotonic() - started
    silero.close()
    kinds = [type(a) for _, a in actions]
    assert kinds[0] is Pause and kinds[-1] is Confirm
    assert fed_s < 15  # two decisions awaited on Redis would take 60 s
    assert ctl.decisions.pending == len(actions)
    await asyncio.to_thread(aof_redis.start)
    await ctl.close()
    recorded = await bp.read_events("call")
    assert [e.decision for e in recorded if isinstance(e, BargeInDecision)] == [
        {Pause: "pause", Confirm: "confirm"}.get(k, "resume") for k in kinds
    ]
    await owned.release()
    await bp.close()
