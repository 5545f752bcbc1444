"""The one invocation path of every tool call.

validate arguments -> idempotency cache -> [breaker permit -> attempt under its time budget ->
audit] x retries -> a `ToolResult`. Tool exceptions never escape into the call loop; only
backplane errors that mean "this worker must stop" (StaleOwner, SessionEnded) do.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from tools.audit import Auditor, Outcome
from tools.breaker import BreakerState, CircuitBreaker, Permit
from tools.deps import ToolDeps
from tools.errors import InvalidArguments, ToolError, ToolTimeout, UnknownTool
from tools.failures import BreakerOpen, failure_for
from tools.idempotency import MISSING, ResultCache, make_key
from tools.registry import REGISTRY, ToolCall, ToolRegistry, ToolSpec
from tools.result import ToolResult
from tools.retry import Monotonic, Retrier, Sleep, classify
from tools.settings import ToolSettings

if TYPE_CHECKING:
    from backplane import OwnedSession


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolScope:
    """Where an invocation happens: the owned session, the caller turn, the calling agent."""

    session: OwnedSession
    turn: int
    agent: str


class ToolInvoker(Protocol):
    """Anything that runs tools for an agent: the live runtime, or the replay's recorded log."""

    async def invoke(
        self, scope: ToolScope, name: str, arguments: dict[str, Any]
    ) -> ToolResult: ...


class _AttemptFailed(Exception):
    """Carries a classified failure out of one attempt to the retry loop."""

    def __init__(self, error: BaseException, wait: float | None) -> None:
        self.error = error
        #: Seconds before the next attempt; None: this was the last one.
        self.wait = wait


class ToolRuntime:
    """Runs registered tools with retries, deadline, idempotency, breaker and audit."""

    def __init__(
        self,
        redis: Redis,
        *,
        deps: ToolDeps | None = None,
        registry: ToolRegistry | None = None,
        overrides: dict[str, ToolSettings] | None = None,
        sleep: Sleep = asyncio.sleep,
        monotonic: Monotonic = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if registry is None:
            import tools.builtin  # noqa: F401  (the default registry includes the built-ins)
        self.redis = redis
        self.deps = deps or ToolDeps()
        self.registry = registry or REGISTRY
        #: Per-tool settings replacing the ones the tool was registered with.
        self.overrides = dict(overrides or {})
        self.cache = ResultCache(redis)
        self.breaker = CircuitBreaker(redis)
        self._sleep, self._monotonic, self._rng = sleep, monotonic, rng

    def settings_for(self, spec: ToolSpec) -> ToolSettings:
        return self.overrides.get(spec.name, spec.settings)

    async def _lookup(self, sid: str, key: str, name: str, settings: ToolSettings) -> list[Any]:
        """One round trip for the cache lookup and the first breaker permit."""
        for first in (True, False):
            pipe = self.redis.pipeline(transaction=False)
            if settings.cache_results:
                self.cache.queue_get(pipe, sid, key)
            await self.breaker.queue_allow(pipe, name, settings.breaker)
            try:
                return list(await pipe.execute())
            except NoScriptError:
                if not first:
                    raise
                self.breaker.forget_scripts()  # Redis restarted: load the script again
        raise NoScriptError("script cache lost twice in a row")

    async def invoke(self, scope: ToolScope, name: str, arguments: dict[str, Any]) -> ToolResult:
        """Run tool `name` for the agent; always returns, with a value or a typed failure."""
        sid = scope.session.session_id
        try:
            spec = self.registry.get(name)
            args = spec.validate(arguments)
        except (UnknownTool, InvalidArguments) as exc:
            key = make_key(sid, scope.turn, name, arguments)
            failure = failure_for(exc)
            audit = Auditor(scope.session, tool=name, arguments=arguments, key=key)
            await audit.record(
                Outcome.FAILED, result=failure.to_dict(), error_class=type(exc).__name__
            )
            return ToolResult(tool=name, idempotency_key=key, failure=failure, attempts=1)

        settings = self.settings_for(spec)
        key = make_key(sid, scope.turn, name, args)
        audit = Auditor(scope.session, tool=name, arguments=args, key=key)
        replies = await self._lookup(sid, key, name, settings)
        first_permit: Permit | None = self.breaker.permit_from(replies[-1])
        if settings.cache_results:
            value = self.cache.decode(replies[0])
            if value is not MISSING:
                if first_permit is not None and first_permit.state is BreakerState.HALF_OPEN:
                    await self.breaker.release_probe(name)
                await audit.record(Outcome.CACHED, result=value)
                return ToolResult(tool=name, idempotency_key=key, value=value, cached=True)

        started = self._monotonic()
        retrier = Retrier(
            settings.retry, sleep=self._sleep, monotonic=self._monotonic, rng=self._rng
        )
        attempts = 0

        async def attempt(n: int) -> Any:
            nonlocal attempts, first_permit
            attempts = n
            permit = first_permit or await self.breaker.allow(name, settings.breaker)
            first_permit = None
            if not permit.allowed:
                failure = failure_for(BreakerOpen())
                await audit.record(
                    Outcome.BREAKER_OPEN, result=failure.to_dict(), error_class="BreakerOpen",
                    attempt=n, breaker_state=BreakerState.OPEN.value,
                )  # fmt: skip
                raise _AttemptFailed(BreakerOpen(), None)
            budget = retrier.attempt_budget(started)
            call = ToolCall(
                tool=name, session_id=sid, turn=scope.turn, agent=scope.agent, attempt=n,
                idempotency_key=key, deadline=time.monotonic() + budget, deps=self.deps,
                session=scope.session,
            )  # fmt: skip
            t0 = time.perf_counter()
            try:
                async with asyncio.timeout(budget):
                    value = await spec.func(call, **args)
            except Exception as exc:
                latency = (time.perf_counter() - t0) * 1000
                error: BaseException = classify(name, exc) or exc
                if isinstance(exc, TimeoutError):
                    error = ToolTimeout(name, budget)
                state = permit.state
                if not isinstance(error, ToolError) or error.breaker_failure:
                    state = await self.breaker.record_failure(name, permit, settings.breaker)
                typed = error if isinstance(error, ToolError) else None
                wait = None if state == BreakerState.OPEN else retrier.next_wait(typed, n, started)
                outcome = Outcome.RETRY if wait is not None else _final_outcome(error)
                await audit.record(
                    outcome, result=failure_for(error).to_dict(),
                    error_class=type(error).__name__, latency_ms=latency, attempt=n,
                    breaker_state=state.value,
                )  # fmt: skip
                raise _AttemptFailed(error, wait) from exc
            latency = (time.perf_counter() - t0) * 1000
            state = await self.breaker.record_success(name, permit)
            record = audit.record(
                Outcome.OK, result=value, latency_ms=latency, attempt=n, breaker_state=state.value
            )
            if settings.cache_results:
                # Independent writes: in flight together, one round trip of wall time.
                await asyncio.gather(self.cache.put(sid, key, value), record)
            else:
                await record
            return value

        def decide(exc: BaseException, _n: int) -> float | None:
            return exc.wait if isinstance(exc, _AttemptFailed) else None

        try:
            value = await retrier.run(attempt, decide)
        except _AttemptFailed as failed:
            return ToolResult(
                tool=name, idempotency_key=key, attempts=attempts,
                failure=failure_for(failed.error),
                latency_ms=(self._monotonic() - started) * 1000,
            )  # fmt: skip
        return ToolResult(
            tool=name, idempotency_key=key, value=value, attempts=attempts,
            latency_ms=(self._monotonic() - started) * 1000,
        )  # fmt: skip

    async def aclose(self) -> None:
        await self.deps.aclose()


def _final_outcome(error: BaseException) -> Outcome:
    return Outcome.TIMEOUT if isinstance(error, ToolTimeout) else Outcome.FAILED
