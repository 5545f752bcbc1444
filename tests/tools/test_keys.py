"""The runtime's Redis keys come from `backplane.keys` (one place formats every key)."""

from __future__ import annotations

from redis.asyncio import Redis
from toolkit_helpers import book_args

from backplane.keys import TOOL_RESULT_TTL_MS, breaker_keys, session_keys
from tools import ToolRuntime, ToolScope


async def test_cached_result_lives_under_the_session_hash_tag(
    runtime: ToolRuntime, scope: ToolScope, redis_client: Redis
) -> None:
    result = await runtime.invoke(scope, "book_appointment", book_args())
    sid = scope.session.session_id
    key = session_keys(sid).tool_result(result.idempotency_key)
    assert key.startswith(f"sb:{{{sid}}}:tool:")
    assert await redis_client.exists(key)
    assert 0 < await redis_client.pttl(key) <= TOOL_RESULT_TTL_MS


def test_breaker_keys_share_the_tool_hash_tag() -> None:
    keys = breaker_keys("book_appointment")
    assert len(set(keys)) == 4
    assert all(k.startswith("sb:tools:breaker:{book_appointment}:") for k in keys)
