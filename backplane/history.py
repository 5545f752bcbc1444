"""The conversation history of a session (items in the SDK's input format), kept in Redis.

Reads need no lease; writes are fenced like every other write. The orchestrator adapts this to
the Agents SDK's `Session` protocol.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from backplane.validation import to_json

if TYPE_CHECKING:
    from backplane.session import OwnedSession

MAX_ITEM_BYTES = 256 * 1024


class History:
    def __init__(self, session: OwnedSession) -> None:
        self._session = session

    async def get(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The items in order; with `limit`, only the latest `limit`."""
        bp, key = self._session.backplane, self._session.keys.history
        start = -limit if limit else 0
        raw = await bp._retry("history.get", lambda: bp.redis.lrange(key, start, -1))
        return [json.loads(item) for item in raw]

    async def add(self, items: list[dict[str, Any]]) -> None:
        if not items:
            return
        encoded = [to_json("history item", item, MAX_ITEM_BYTES) for item in items]
        await self._session._write("history", "add", *encoded)

    async def pop(self) -> dict[str, Any] | None:
        reply = await self._session._write("history", "pop")
        return reply["result"]

    async def clear(self) -> None:
        await self._session._write("history", "clear")

    async def set(self, index: int, item: dict[str, Any]) -> None:
        """Replace one item (e.g. truncate the last reply to what the caller heard)."""
        await self._session._write(
            "history", "set", index, to_json("history item", item, MAX_ITEM_BYTES)
        )
