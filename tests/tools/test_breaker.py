"""The circuit breaker: opens on repeated failures, shared with another worker process through
Redis, closes after its cool-down."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from redis.asyncio import Redis
from toolkit_helpers import attempts_of, requests_seen, set_faults

from tools import (
    BreakerSettings,
    BreakerState,
    CircuitBreaker,
    FailureKind,
    RetryPolicy,
    ToolRuntime,
    ToolScope,
    ToolSettings,
)
from tools.calendar_service import CalendarServer

WORKER = Path(__file__).with_name("breaker_worker.py")
TOOL = "find_availability"
DAY = {"date": "2026-09-14"}


class SecondWorker:
    """Another worker process (started before the test needs it: imports take a while)."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, calendar: CalendarServer) -> SecondWorker:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(WORKER), calendar.url,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip
        worker = cls(proc)
        assert await worker._line() == "ready"
        return worker

    async def _line(self) -> str:
        assert self.proc.stdout is not None
        return (await asyncio.wait_for(self.proc.stdout.readline(), timeout=60)).decode().strip()

    async def invoke(self, session_id: str) -> dict:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{session_id}\n".encode())
        await self.proc.stdin.drain()
        return json.loads(await self._line())

    async def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        assert await asyncio.wait_for(self.proc.wait(), timeout=30) == 0


@pytest.mark.slow
async def test_opens_is_seen_by_another_process_and_closes_after_cool_down(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer
) -> None:
    other = await SecondWorker.start(calendar)
    runtime.overrides[TOOL] = ToolSettings(
        retry=RetryPolicy(max_attempts=1),
        breaker=BreakerSettings(failure_threshold=3, cool_down_s=2.0),
        cache_results=False,
    )
    set_faults(calendar.url, *[{"kind": "status", "status": 500}] * 10)
    for _ in range(3):
        result = await runtime.invoke(scope, TOOL, DAY)
        assert result.failure is not None and result.failure.kind is FailureKind.UNAVAILABLE
    attempts = await attempts_of(scope.session)
    assert [a.breaker_state for a in attempts] == ["closed", "closed", "open"]

    # This worker now fails fast, without calling the service...
    result = await runtime.invoke(scope, TOOL, DAY)
    assert result.failure is not None and result.failure.kind is FailureKind.BREAKER_OPEN
    assert (await attempts_of(scope.session))[-1].outcome == "breaker_open"
    # ...and so does another worker process, which shares the state through Redis.
    seen = await other.invoke("chat-worker-2a")
    assert seen == {"ok": False, "failure": "breaker_open", "state": "open"}
    assert requests_seen(calendar.url, "GET /availability") == 3

    # After the cool-down one probe goes through; the service is healthy again: closed.
    set_faults(calendar.url)
    await asyncio.sleep(2.1)
    assert (await runtime.invoke(scope, TOOL, DAY)).ok
    assert await runtime.breaker.state(TOOL) is BreakerState.CLOSED
    seen = await other.invoke("chat-worker-2b")
    assert seen == {"ok": True, "failure": None, "state": "closed"}
    await other.stop()


async def test_failed_probe_opens_again(redis_client: Redis) -> None:
    breaker = CircuitBreaker(redis_client)
    settings = BreakerSettings(failure_threshold=1, cool_down_s=0.05, probe_timeout_s=5)
    permit = await breaker.allow("crm_writeback", settings)
    assert await breaker.record_failure("crm_writeback", permit, settings) is BreakerState.OPEN
    assert not (await breaker.allow("crm_writeback", settings)).allowed
    await asyncio.sleep(0.1)
    probe = await breaker.allow("crm_writeback", settings)
    assert probe.state is BreakerState.HALF_OPEN
    # Only one worker probes; the others still see it open.
    assert not (await breaker.allow("crm_writeback", settings)).allowed
    assert await breaker.record_failure("crm_writeback", probe, settings) is BreakerState.OPEN
    assert await breaker.state("crm_writeback") is BreakerState.OPEN


async def test_rejections_do_not_count(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer
) -> None:
    runtime.overrides["book_appointment"] = ToolSettings(
        breaker=BreakerSettings(failure_threshold=1)
    )
    args = {"start": "2026-09-13T09:00", "name": "A", "phone": "+14155552671"}  # a Sunday
    result = await runtime.invoke(scope, "book_appointment", args)
    assert result.failure is not None and result.failure.reason == "outside_hours"
    assert await runtime.breaker.state("book_appointment") is BreakerState.CLOSED
