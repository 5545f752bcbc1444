"""The embedded redis-server: starts, is shared, keeps data across restarts, stops cleanly."""

from __future__ import annotations

from pathlib import Path

import redis

from backplane import Backplane, EmbeddedRedis


def test_embedded_server_starts_and_stops(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    url = server.start()
    assert url.startswith("unix://")
    client = redis.Redis.from_url(url)
    assert client.ping()
    client.close()
    joiner = EmbeddedRedis(tmp_path)
    assert joiner.start() == url and not joiner.owned  # shared, not started twice
    joiner.stop()  # a joiner does not stop someone else's server
    assert redis.Redis.from_url(url).ping()
    process = server._process
    server.stop()
    assert process is not None and process.poll() is not None
    assert not EmbeddedRedis(tmp_path)._answers()


async def test_backplane_connect_without_url_uses_embedded(
    tmp_path: Path, monkeypatch: object
) -> None:
    import pytest

    mp = pytest.MonkeyPatch()
    mp.delenv("REDIS_URL", raising=False)
    mp.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path))
    try:
        bp = await Backplane.connect()
        await bp.create_session("kept", agent="a")
        async with bp.own("kept", owner="w") as owned:
            await owned.set_slot("name", "Ann", agent="a")
        await bp.close()
        assert not (tmp_path / "redis" / "redis.sock").exists()
        # A new process (here: a new connect) finds the state again: the AOF kept it.
        bp = await Backplane.connect()
        assert (await bp.snapshot("kept")).slot_values() == {"name": "Ann"}
        await bp.close()
    finally:
        mp.undo()
