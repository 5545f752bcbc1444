"""A second worker process for the breaker test.

Usage: python breaker_worker.py <calendar_url>   (REDIS_URL from the environment)
Prints "ready" once imported and connected; then for each session ID read from stdin it runs
one invocation in that session and prints what it saw as one JSON line. Exits on EOF.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from backplane import Backplane
from tools import BuiltinSettings, ToolDeps, ToolRuntime, ToolScope


async def once(bp: Backplane, runtime: ToolRuntime, session_id: str) -> dict[str, object]:
    await bp.create_session(session_id, agent="booking")
    async with bp.own(session_id, owner="worker-2") as session:
        await session.begin_caller_turn("any slot on Monday?", agent="booking")
        scope = ToolScope(session=session, turn=1, agent="booking")
        result = await runtime.invoke(scope, "find_availability", {"date": "2026-09-14"})
    state = await runtime.breaker.state("find_availability")
    failure = result.failure.kind.value if result.failure else None
    return {"ok": result.ok, "failure": failure, "state": state.value}


async def main(calendar_url: str) -> None:
    bp = await Backplane.connect(os.environ["REDIS_URL"])
    runtime = ToolRuntime(bp.redis, deps=ToolDeps(BuiltinSettings(calendar_url=calendar_url)))
    print("ready", flush=True)
    try:
        while line := await asyncio.to_thread(sys.stdin.readline):
            print(json.dumps(await once(bp, runtime, line.strip())), flush=True)
    finally:
        await runtime.aclose()
        await bp.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
