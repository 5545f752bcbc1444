"""Shared fixtures: a real Redis for every test (REDIS_URL, else a private embedded server)."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import redis
from redis.asyncio import Redis

from backplane import Backplane, EmbeddedRedis, ManualClock

if TYPE_CHECKING:
    from tests.aof_redis import AofRedis


@pytest.fixture(autouse=True)
def _no_paid_apis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach a paid model API: a key left in the environment must not be used."""
    for name in ("OPENAI_API_KEY", "DEEPGRAM_API_KEY", "ELEVENLABS_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_AGENTS_DISABLE_TRACING", "1")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL when set (CI: the local server), else a private embedded redis-server."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    url = server.start()
    os.environ["REDIS_URL"] = url  # subprocesses started by tests use the same server
    try:
        yield url
    finally:
        os.environ.pop("REDIS_URL", None)
        server.stop()


@pytest.fixture
def redis_sync(redis_url: str) -> Iterator[redis.Redis]:
    """A synchronous client on a flushed database."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
async def redis_client(redis_url: str, redis_sync: redis.Redis) -> AsyncIterator[Redis]:
    """An asyncio client on a flushed database."""
    client = Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=1_790_000_000.0)


@pytest.fixture
async def backplane(redis_client: Redis, clock: ManualClock) -> AsyncIterator[Backplane]:
    """A backplane on the flushed test database, with a manual clock."""
    bp = Backplane(redis_client, clock=clock)
    yield bp


def free_port() -> int:
    """A TCP port nobody listens on right now (for servers the tests start)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private SWITCHBOARD_DATA_DIR for the test."""
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def aof_redis(tmp_path: Path) -> Iterator[AofRedis]:
    """A redis-server of the test's own, persisting every write: stop() and start() it to
    take Redis away mid-test and bring it back with the data."""
    from tests.aof_redis import AofRedis

    server = AofRedis(tmp_path)
    server.start()
    yield server
    server.stop()
