"""A circuit breaker per tool, its state in Redis so every worker process shares it.

closed -> (failure_threshold failures within window_s) -> open for cool_down_s -> half_open:
one worker gets the probe; its success closes the breaker, its failure opens it again. The
open flag is a key with a PX TTL, so the cool-down runs on Redis's clock, the same for all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from redis.asyncio import Redis

from backplane.keys import breaker_keys
from tools.settings import BreakerSettings

# KEYS: open, tripped, failures, probe. ARGV[1]: probe reservation (ms).
_ALLOW = """
if redis.call('EXISTS', KEYS[1]) == 1 then return {'open', 0} end
if redis.call('EXISTS', KEYS[2]) == 1 then
  if redis.call('SET', KEYS[4], '1', 'NX', 'PX', ARGV[1]) then return {'half_open', 0} end
  return {'open', 0}
end
return {'closed', tonumber(redis.call('GET', KEYS[3]) or '0')}
"""

# ARGV: threshold, window ms, cool-down ms, "1" when the failed attempt was the probe.
_FAILURE = """
local n = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
if ARGV[4] == '1' or n >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[3])
  redis.call('SET', KEYS[2], '1', 'PX', 86400000)
  redis.call('DEL', KEYS[4])
  return 'open'
end
return 'closed'
"""

_RESET = """
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
return 'closed'
"""


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class Permit:
    """The answer to "may I call the tool now?"."""

    state: BreakerState
    #: Recent failures (closed state); 0 means a success needs no write.
    failures: int = 0

    @property
    def allowed(self) -> bool:
        return self.state is not BreakerState.OPEN


class CircuitBreaker:
    """The breakers of all tools, backed by one Redis."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._allow = redis.register_script(_ALLOW)
        self._failure = redis.register_script(_FAILURE)
        self._reset = redis.register_script(_RESET)
        self._allow_loaded = False

    async def allow(self, tool: str, settings: BreakerSettings) -> Permit:
        """May this worker call the tool now? In half-open state only one worker may: the
        probe."""
        reply = await self._allow(keys=breaker_keys(tool), args=[_ms(settings.probe_timeout_s)])
        return self.permit_from(reply)

    async def queue_allow(self, pipe: Any, tool: str, settings: BreakerSettings) -> None:
        """`allow` queued on a pipeline (saves a round trip); read its reply with
        `permit_from`. Queued as a bare EVALSHA: a Script object on a pipeline makes redis-py
        send SCRIPT EXISTS first on every execute, which is the round trip we came to save.
        After a Redis restart the pipeline fails with NoScriptError; `forget_scripts()` and
        queue again."""
        if not self._allow_loaded:
            await self.redis.script_load(_ALLOW)
            self._allow_loaded = True
        keys = breaker_keys(tool)
        pipe.evalsha(self._allow.sha, len(keys), *keys, _ms(settings.probe_timeout_s))

    def forget_scripts(self) -> None:
        """The server lost its script cache (restart, failover): load again on next use."""
        self._allow_loaded = False

    @staticmethod
    def permit_from(reply: Any) -> Permit:
        state, failures = reply
        return Permit(BreakerState(state), int(failures))

    async def release_probe(self, tool: str) -> None:
        """Give the half-open probe back unused (the result came from the cache)."""
        await self.redis.delete(breaker_keys(tool)[3])

    async def record_success(self, tool: str, permit: Permit) -> BreakerState:
        # The common case (closed, no recent failures) costs no round trip.
        if permit.state is BreakerState.CLOSED and permit.failures == 0:
            return BreakerState.CLOSED
        return BreakerState(await self._reset(keys=breaker_keys(tool)))

    async def record_failure(
        self, tool: str, permit: Permit, settings: BreakerSettings
    ) -> BreakerState:
        state = await self._failure(
            keys=breaker_keys(tool),
            args=[
                settings.failure_threshold,
                _ms(settings.window_s),
                _ms(settings.cool_down_s),
                "1" if permit.state is BreakerState.HALF_OPEN else "0",
            ],
        )
        return BreakerState(state)

    async def state(self, tool: str) -> BreakerState:
        """The state as a caller would see it, without taking the probe (dashboards, tests)."""
        open_key, tripped, _failures, probe = breaker_keys(tool)
        pipe = self.redis.pipeline(transaction=False)
        for key in (open_key, tripped, probe):
            pipe.exists(key)
        is_open, is_tripped, probing = await pipe.execute()
        if is_open or (is_tripped and probing):
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN if is_tripped else BreakerState.CLOSED


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))
