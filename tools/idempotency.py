"""Idempotency: one key per (session, turn, tool, arguments); successful results cached in Redis.

The same key is passed to the tool on every attempt, so the service can deduplicate a request
whose response was lost; the cache means a retried turn or a call resumed on another worker
gets the first result back instead of calling the tool again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from redis.asyncio import Redis

from backplane.keys import TOOL_RESULT_TTL_MS, session_keys

_MISSING = object()


def canonical_arguments(arguments: dict[str, Any]) -> str:
    """Arguments as canonical JSON: sorted keys, no whitespace, so equal calls get equal keys."""
    return json.dumps(arguments, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def make_key(session_id: str, turn: int, tool: str, arguments: dict[str, Any]) -> str:
    """The idempotency key: readable prefix plus a digest (no argument values in clear)."""
    material = "\x1f".join([session_id, str(turn), tool, canonical_arguments(arguments)])
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]
    return f"{tool}:{turn}:{digest}"


class ResultCache:
    """Successful results by idempotency key, in the session's Redis slot."""

    def __init__(self, redis: Redis, *, ttl_ms: int = TOOL_RESULT_TTL_MS) -> None:
        self.redis = redis
        self.ttl_ms = ttl_ms

    async def get(self, session_id: str, key: str) -> Any:
        """The cached value, or `MISSING`."""
        return self.decode(await self.redis.get(session_keys(session_id).tool_result(key)))

    def queue_get(self, pipe: Any, session_id: str, key: str) -> None:
        """`get` queued on a pipeline; read its reply with `decode`."""
        pipe.get(session_keys(session_id).tool_result(key))

    @staticmethod
    def decode(raw: str | None) -> Any:
        return _MISSING if raw is None else json.loads(raw)["value"]

    async def put(self, session_id: str, key: str, value: Any) -> None:
        payload = json.dumps({"value": value}, ensure_ascii=False, separators=(",", ":"))
        await self.redis.set(session_keys(session_id).tool_result(key), payload, px=self.ttl_ms)


MISSING: Any = _MISSING
