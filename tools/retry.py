"""Retry policy, in one place: which failures are retried, how long to wait, when to give up.

Tools raise (or let escape) errors; `classify` maps them to the typed errors of
`tools.errors`; `Retrier` decides the wait before the next attempt (exponential backoff with
jitter, or the service's Retry-After) within the invocation deadline, and tenacity runs the loop.
Clock, sleep and randomness are injectable so tests need not wait.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_never
from twilio.base.exceptions import TwilioRestException

from tools.errors import RetryAfter, ToolError, ToolRejected, ToolTimeout, ToolUnavailable
from tools.settings import RetryPolicy

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]

#: Do not start an attempt with less time than this left: it could not finish anyway.
MIN_ATTEMPT_S = 0.05


def classify(tool: str, exc: BaseException) -> ToolError | None:
    """The typed view of a failure; None for an unexpected error (a bug: not retried)."""
    if isinstance(exc, ToolError):
        return exc
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return ToolTimeout(tool, 0.0)
    if isinstance(exc, httpx.HTTPStatusError):
        return from_status(tool, exc.response.status_code, exc.response.headers.get("retry-after"))
    if isinstance(exc, TwilioRestException):
        return from_status(tool, exc.status, None, code=str(exc.code or ""))
    if isinstance(exc, httpx.TransportError | ConnectionError | OSError):
        return ToolUnavailable(tool, type(exc).__name__)
    return None


def from_status(
    tool: str, status: int, retry_after: str | None, *, code: str = ""
) -> ToolError | None:
    """Map an HTTP status to a typed error (None for success)."""
    if status < 400:
        return None
    if status == 429:
        return RetryAfter(tool, parse_retry_after(retry_after))
    if status >= 500 or status == 408:
        return ToolUnavailable(tool, f"HTTP {status}", status=status)
    return ToolRejected(tool, code or f"http_{status}", status=status)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


@dataclass(slots=True)
class _Decision:
    wait: float | None = None


class Retrier:
    """Runs attempts until one succeeds, a failure is final, or the deadline would pass."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        sleep: Sleep = asyncio.sleep,
        monotonic: Monotonic = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy
        self.sleep = sleep
        self.monotonic = monotonic
        self.rng = rng

    def next_wait(self, error: ToolError | None, attempt: int, started: float) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None to give up now."""
        p = self.policy
        if error is None or not error.retryable or attempt >= p.max_attempts:
            return None
        if isinstance(error, RetryAfter) and error.seconds is not None:
            wait = error.seconds  # the service said when; jitter would only make it later
        else:
            backoff = min(p.max_backoff_s, p.initial_backoff_s * 2 ** (attempt - 1))
            wait = backoff + self.rng() * p.jitter_s
        left = p.deadline_s - (self.monotonic() - started)
        if wait + MIN_ATTEMPT_S > left:
            return None
        return wait

    def attempt_budget(self, started: float) -> float:
        """How long the next attempt may take: its own limit, capped by the deadline."""
        left = self.policy.deadline_s - (self.monotonic() - started)
        return max(0.0, min(self.policy.attempt_timeout_s, left))

    async def run(
        self,
        attempt_fn: Callable[[int], Awaitable[T]],
        decide: Callable[[BaseException, int], float | None],
    ) -> T:
        """Call `attempt_fn(n)` for n = 1, 2, ...; `decide(exc, n)` returns the wait before the
        next attempt or None (the exception then propagates)."""
        decision = _Decision()
        counter = [0]

        async def one() -> T:
            counter[0] += 1
            n = counter[0]
            try:
                return await attempt_fn(n)
            except Exception as exc:
                decision.wait = decide(exc, n)
                raise

        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda _exc: decision.wait is not None),
            wait=lambda _state: decision.wait or 0.0,
            stop=stop_never,  # `decide` already knows the attempt limit and the deadline
            sleep=self.sleep,
            reraise=True,
        )
        return await retrying(one)
