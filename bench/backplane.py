"""Backplane benchmark: handoff transactions and slot writes, against a naive non-atomic version.

Prints JSON. Latency: one writer, sequential (p50/p99 in ms). Throughput: `--concurrency` writers
on separate sessions. The naive baseline does the same work as separate commands (read agent,
write agent, read slots, append event, bump version) with no atomicity and no fencing.

    python bench/backplane.py [--url redis://127.0.0.1:6379/15] [--n 2000]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would shadow the
# `backplane` package; drop it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from backplane import Backplane, OwnedSession
from backplane.keys import session_keys


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _latency(n: int, op: Callable[[int], Awaitable[object]]) -> dict[str, float]:
    samples = []
    for i in range(n):
        start = time.perf_counter()
        await op(i)
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "p50_ms": round(_pct(samples, 0.5), 3),
        "p99_ms": round(_pct(samples, 0.99), 3),
        "mean_ms": round(statistics.fmean(samples), 3),
    }


async def _throughput(n: int, workers: int, op: Callable[[int, int], Awaitable[object]]) -> float:
    per = n // workers

    async def run(w: int) -> None:
        for i in range(per):
            await op(w, i)

    start = time.perf_counter()
    await asyncio.gather(*(run(w) for w in range(workers)))
    return round(per * workers / (time.perf_counter() - start), 1)


async def _naive_handoff(redis: Redis, sid: str, to_agent: str) -> None:
    keys = session_keys(sid)
    from_agent = await redis.hget(keys.state, "agent")
    await redis.hset(keys.state, "agent", to_agent)
    slots = await redis.hgetall(keys.slots)
    await redis.xadd(
        keys.events,
        {
            "kind": "handoff",
            "data": json.dumps({"from_agent": from_agent, "to_agent": to_agent, "slots": slots}),
        },
    )
    await redis.hincrby(keys.state, "version", 1)


async def _naive_slot(redis: Redis, sid: str, name: str, value: object) -> None:
    keys = session_keys(sid)
    version = await redis.hincrby(keys.state, "version", 1)
    record = json.dumps({"value": value, "set_by": "a", "version": version})
    await redis.hset(keys.slots, name, record)
    await redis.xadd(keys.events, {"kind": "slot_set", "data": record})


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=os.environ.get("REDIS_URL"))
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    bp = await Backplane.connect(args.url)
    tag = uuid.uuid4().hex[:6]
    owned: dict[int, OwnedSession] = {}
    for w in range(args.concurrency):
        sid = f"bench-{tag}-{w}"
        await bp.create_session(sid, agent="a0")
        owned[w] = await bp.acquire(sid, owner="bench", keep_alive=False)
        for s in range(5):  # handoffs carry a snapshot of a realistic handful of slots
            await owned[w].set_slot(f"slot{s}", f"value {s}", agent="a0")
    one = owned[0]
    naive_sid = f"bench-{tag}-naive"
    await bp.create_session(naive_sid, agent="a0")

    result = {
        "redis": args.url or "embedded",
        "n": args.n,
        "concurrency": args.concurrency,
        "handoff": {
            "atomic": await _latency(args.n, lambda i: one.handoff(f"a{i % 3}")),
            "naive": await _latency(
                args.n, lambda i: _naive_handoff(bp.redis, naive_sid, f"a{i % 3}")
            ),
        },
        "slot_write": {
            "atomic": await _latency(args.n, lambda i: one.set_slot("s", i, agent="a0")),
            "naive": await _latency(args.n, lambda i: _naive_slot(bp.redis, naive_sid, "s", i)),
        },
    }
    result["handoff"]["atomic"]["per_s"] = await _throughput(
        args.n, args.concurrency, lambda w, i: owned[w].handoff(f"a{i % 3}")
    )
    result["handoff"]["naive"]["per_s"] = await _throughput(
        args.n,
        args.concurrency,
        lambda w, i: _naive_handoff(bp.redis, f"bench-{tag}-{w}", f"a{i % 3}"),
    )
    result["slot_write"]["atomic"]["per_s"] = await _throughput(
        args.n, args.concurrency, lambda w, i: owned[w].set_slot("s", i, agent="a0")
    )
    result["slot_write"]["naive"]["per_s"] = await _throughput(
        args.n, args.concurrency, lambda w, i: _naive_slot(bp.redis, f"bench-{tag}-{w}", "s", i)
    )
    result["target"] = {"handoff_p99_ms": 2.0, "met": result["handoff"]["atomic"]["p99_ms"] < 2.0}
    for sid in [*(f"bench-{tag}-{w}" for w in owned), naive_sid]:
        await bp.redis.delete(*session_keys(sid).all())
    await bp.close()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
