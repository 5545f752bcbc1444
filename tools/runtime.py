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

from tools.audit import Auditor, Outcome
from tools.breaker import BreakerState, CircuitBreaker, Permit
from tools.deps import ToolDeps
from tools.errors import InvalidArguments, ToolError, ToolTimeout, UnknownTool
from tools.failures import failure_for
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
    """Carries a classified failure out of one attempt (tenacity sees this)."""

    def __init__(
        self,
        error: ToolError | None,
        original: BaseException,
        state: BreakerState,
        wait: float | None = None,
    ) -> None:
        self.error = error
        self.original = original
        self.state = state
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
        self.redis = redis
        self.deps = deps or ToolDeps()
        if registry is None:
            import tools.builtin  # noqa: F401  (the default registry includes the built-ins)
        self.registry = registry or REGISTRY
        self.overrides = dict(overrides or {})
        self.cache = ResultCache(redis)
        self.breaker = CircuitBreaker(redis)
        self._sleep, self._monotonic, self._rng = sleep, monotonic, rng

    def settings_for(self, spec: ToolSpec) -> ToolSettings:
        return self.overrides.get(spec.name, spec.settings)

    async def invoke(self, scope: ToolScope, name: str, arguments: dict[str, Any]) -> ToolResult:
        audit = Auditor(scope.session)
        started = self._monotonic()
        try:
            spec = self.registry.get(name)
            args = spec.validate(arguments)
        except (UnknownTool, InvalidArguments) as exc:
            key = make_key(scope.session.session_id, scope.turn, name, arguments)
            await audit.record(
                tool=name,
                arguments=arguments,
                result=None,
                outcome=Outcome.FAILED,
                error_class=type(exc).__name__,
                latency_ms=0.0,
                attempt=1,
                idempotency_key=key,
                breaker_state=BreakerState.CLOSED.value,
            )
            return ToolResult(tool=name, idempotency_key=key, failure=failure_for(exc), attempts=1)

        settings = self.settings_for(spec)
        key = make_key(scope.session.session_id, scope.turn, name, args)
        if settings.cache_results:
            value = await self.cache.get(scope.session.session_id, key)
            if value is not MISSING:
                await audit.record(
                    tool=name,
                    arguments=args,
                    result=value,
                    outcome=Outcome.CACHED,
                    error_class=None,
                    latency_ms=0.0,
                    attempt=1,
                    idempotency_key=key,
                    breaker_state=BreakerState.CLOSED.value,
                )
                return ToolResult(tool=name, idempotency_key=key, value=value, cached=True)

        retrier = Retrier(
            settings.retry, sleep=self._sleep, monotonic=self._monotonic, rng=self._rng
        )
        attempts = 0

        async def attempt(n: int) -> Any:
            nonlocal attempts
            attempts = n
            permit = await self.breaker.allow(name, settings.breaker)
            if not permit.allowed:
                raise _AttemptFailed(None, _BreakerOpen(), BreakerState.OPEN)
            budget = retrier.attempt_budget(started)
            call = ToolCall(
                tool=name,
                session_id=scope.session.session_id,
                turn=scope.turn,
                agent=scope.agent,
                attempt=n,
                idempotency_key=key,
                deadline=time.monotonic() + budget,
                deps=self.deps,
                session=scope.session,
            )
            t0 = time.perf_counter()
            try:
                async with asyncio.timeout(budget):
                    value = await spec.func(call, **args)
            except Exception as exc:
                latency = (time.perf_counter() - t0) * 1000
                error = classify(name, exc)
                if isinstance(exc, TimeoutError):
                    error = ToolTimeout(name, budget)
                state = permit.state
                if error is None or error.breaker_failure:
                    state = await self.breaker.record_failure(name, permit, settings.breaker)
                wait = retrier.next_wait(error, n, started) if state != BreakerState.OPEN else None
                outcome = _final_outcome(error) if wait is None else Outcome.RETRY
                await audit.record(
                    tool=name,
                    arguments=args,
                    result=None,
                    outcome=outcome,
                    error_class=type(error or exc).__name__,
                    latency_ms=latency,
                    attempt=n,
                    idempotency_key=key,
                    breaker_state=state.value,
                )
                raise _AttemptFailed(error, exc, state, wait) from exc
            latency = (time.perf_counter() - t0) * 1000
            await self._succeeded(scope, spec, settings, permit, key, value)
            await audit.record(
                tool=name,
                arguments=args,
                result=value,
                outcome=Outcome.OK,
                error_class=None,
                latency_ms=latency,
                attempt=n,
                idempotency_key=key,
                breaker_state=BreakerState.CLOSED.value,
            )
            return value

        def decide(exc: BaseException, n: int) -> float | None:
            return exc.wait if isinstance(exc, _AttemptFailed) else None

        try:
            value = await retrier.run(attempt, decide)
        except _AttemptFailed as failed:
            if isinstance(failed.original, _BreakerOpen):
                await audit.record(
                    tool=name,
                    arguments=args,
                    result=None,
                    outcome=Outcome.BREAKER_OPEN,
                    error_class="BreakerOpen",
                    latency_ms=0.0,
                    attempt=attempts,
                    idempotency_key=key,
                    breaker_state=BreakerState.OPEN.value,
                )
            return ToolResult(
                tool=name,
                idempotency_key=key,
                attempts=attempts,
                failure=failure_for(failed.error or failed.original),
                latency_ms=(self._monotonic() - started) * 1000,
            )
        return ToolResult(
            tool=name,
            idempotency_key=key,
            value=value,
            attempts=attempts,
            latency_ms=(self._monotonic() - started) * 1000,
        )

    async def _succeeded(
        self,
        scope: ToolScope,
        spec: ToolSpec,
        settings: ToolSettings,
        permit: Permit,
        key: str,
        value: Any,
    ) -> None:
        if settings.cache_results:
            await self.cache.put(scope.session.session_id, key, value)
        await self.breaker.record_success(spec.name, permit)

    async def aclose(self) -> None:
        await self.deps.aclose()


class _BreakerOpen(Exception):
    """Internal marker: the breaker refused the attempt."""


def _final_outcome(error: ToolError | None) -> Outcome:
    return Outcome.TIMEOUT if isinstance(error, ToolTimeout) else Outcome.FAILED
