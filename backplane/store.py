"""The backplane: sessions in Redis, read by anyone, written by the worker that owns them."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

from redis.asyncio import Redis

from backplane.clock import Clock, SystemClock
from backplane.embedded import EmbeddedRedis
from backplane.errors import (
    BackplaneError,
    Conflict,
    LeaseHeld,
    SessionEnded,
    SessionExists,
    SessionNotFound,
    StaleOwner,
)
from backplane.events import Event, SessionStarted, decode_event, encode_payload
from backplane.keys import ACTIVE_TTL_MS, LEASE_TTL_MS, session_keys
from backplane.retry import RetrySettings, call_with_retry
from backplane.scripts import Scripts
from backplane.snapshot import read_snapshot
from backplane.state import SessionSnapshot
from backplane.validation import check_agent, check_text, to_json


def clock_arg(clock: Clock) -> str:
    """The call clock as the scripts embed it in JSON (a plain decimal number)."""
    return f"{clock.now():.6f}"


def raise_for(reply: dict[str, Any], session: str, token: int | None = None) -> dict[str, Any]:
    """Map a script's error reply to the typed error; return the reply when it succeeded."""
    err = reply.get("err")
    if err is None:
        return reply
    if err == "not_found":
        raise SessionNotFound(session)
    if err == "stale":
        raise StaleOwner(session, token or 0, reply.get("current"))
    if err == "ended":
        raise SessionEnded(session)
    if err == "exists":
        raise SessionExists(session)
    if err == "held":
        raise LeaseHeld(session, reply["holder"], int(reply["pttl"]))
    if err == "conflict":
        raise Conflict(session, f"slot version is {reply['current']}, not the expected one")
    if err == "wrong_agent":
        raise Conflict(session, f"current agent is {reply['current']!r}, not the expected one")
    raise BackplaneError(f"session {session!r}: script error {err!r}")


class Backplane:
    """Entry point: create, read, own and watch sessions."""

    def __init__(
        self,
        redis: Redis,
        *,
        clock: Clock | None = None,
        retry: RetrySettings | None = None,
        embedded: EmbeddedRedis | None = None,
    ) -> None:
        self.redis = redis
        self.clock: Clock = clock or SystemClock()
        self.retry = retry or RetrySettings()
        self.scripts = Scripts(redis)
        self._embedded = embedded

    @classmethod
    async def connect(
        cls,
        url: str | None = None,
        *,
        clock: Clock | None = None,
        retry: RetrySettings | None = None,
    ) -> Backplane:
        """Connect to `url`, else `REDIS_URL`, else a private embedded redis-server."""
        url = url or os.environ.get("REDIS_URL") or None
        embedded = None
        if url is None:
            embedded = EmbeddedRedis()
            url = await asyncio.to_thread(embedded.start)
        redis = Redis.from_url(url, decode_responses=True, health_check_interval=10)
        return cls(redis, clock=clock, retry=retry, embedded=embedded)

    async def close(self) -> None:
        await self.redis.aclose()
        if self._embedded is not None:
            await asyncio.to_thread(self._embedded.stop)

    async def __aenter__(self) -> Backplane:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _retry(self, what: str, fn: Any) -> Any:
        return await call_with_retry(what, fn, self.retry)

    async def create_session(
        self,
        session_id: str,
        *,
        agent: str,
        channel: str = "chat",
        metadata: dict[str, Any] | None = None,
        clock: Clock | None = None,
    ) -> SessionSnapshot:
        """Create a session with its first agent; SessionExists if the ID is taken."""
        keys = session_keys(session_id)
        check_agent(agent)
        check_text("channel", channel, 64)
        meta = to_json("metadata", metadata or {}, 64 * 1024)
        started = SessionStarted(agent=agent, channel=channel, metadata=metadata or {})
        args = [
            "0",
            uuid4().hex,
            clock_arg(clock or self.clock),
            ACTIVE_TTL_MS,
            agent,
            channel,
            meta,
            encode_payload(started),
        ]
        reply = await self._retry(
            "create_session", lambda: self.scripts.run("create", keys.all(), args)
        )
        raise_for(reply, session_id)
        return await self.snapshot(session_id)

    async def exists(self, session_id: str) -> bool:
        keys = session_keys(session_id)
        return bool(await self._retry("exists", lambda: self.redis.exists(keys.state)))

    async def snapshot(self, session_id: str) -> SessionSnapshot:
        """A consistent read of the whole state (one MULTI/EXEC)."""
        keys = session_keys(session_id)
        snap = await self._retry("snapshot", lambda: read_snapshot(self.redis, keys))
        if snap is None:
            raise SessionNotFound(session_id)
        return snap

    async def read_events(
        self, session_id: str, start: str = "-", end: str = "+", count: int | None = None
    ) -> list[Event]:
        """Events in stream order, from `start` to `end` (stream IDs, inclusive)."""
        keys = session_keys(session_id)
        entries = await self._retry(
            "read_events", lambda: self.redis.xrange(keys.events, start, end, count=count)
        )
        return [decode_event(entry_id, fields) for entry_id, fields in entries]

    async def tail(
        self, session_id: str, from_id: str = "$", block_ms: int = 1000
    ) -> AsyncIterator[Event]:
        """Live events after `from_id` ("$" = only new ones, "0" = from the beginning)."""
        keys = session_keys(session_id)
        last = from_id
        if last == "$":
            # Resolve "$" once, so events between two reads are not skipped.
            info = (
                await self.redis.xinfo_stream(keys.events)
                if await self.exists(session_id)
                else None
            )
            last = info["last-generated-id"] if info else "0"
        while True:
            batch = await self._retry(
                "tail",
                lambda last=last: self.redis.xread({keys.events: last}, block=block_ms, count=100),
            )
            for _stream, entries in batch or []:
                for entry_id, fields in entries:
                    last = entry_id
                    yield decode_event(entry_id, fields)

    @asynccontextmanager
    async def own(
        self,
        session_id: str,
        *,
        owner: str,
        takeover: bool = False,
        ttl_ms: int = LEASE_TTL_MS,
        clock: Clock | None = None,
    ) -> AsyncIterator[OwnedSession]:
        """Own a session for writing: lease + fencing token, renewed until the block exits."""
        session = await self.acquire(
            session_id, owner=owner, takeover=takeover, ttl_ms=ttl_ms, clock=clock
        )
        try:
            yield session
        finally:
            await session.release()

    async def acquire(
        self,
        session_id: str,
        *,
        owner: str,
        takeover: bool = False,
        ttl_ms: int = LEASE_TTL_MS,
        clock: Clock | None = None,
        keep_alive: bool = True,
    ) -> OwnedSession:
        """Take the lease (see `own`); the caller must `release()` the returned session."""
        lease = await Lease.acquire(self, session_id, owner=owner, takeover=takeover, ttl_ms=ttl_ms)
        if keep_alive:
            lease.start_keep_alive()
        return OwnedSession(self, lease, clock=clock or self.clock)


# Imported late: these modules use Backplane in type hints only, but OwnedSession is returned here.
from backplane.lease import Lease  # noqa: E402
from backplane.session import OwnedSession  # noqa: E402
