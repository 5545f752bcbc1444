"""Riding out a Redis restart or failover: retry with backoff up to a deadline.

Every write carries an operation id that its script records with the reply, so re-sending a
write whose reply was lost returns the first reply instead of applying the change twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from redis.exceptions import BusyLoadingError, ConnectionError, ReadOnlyError, TimeoutError
from tenacity import (
    AsyncRetrying,
    RetryError,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential_jitter,
)

from backplane.errors import BackplaneUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Errors after which the same request may be sent again safely (idempotent by op id).
TRANSIENT = (ConnectionError, TimeoutError, BusyLoadingError, ReadOnlyError, OSError)


@dataclass(frozen=True, kw_only=True, slots=True)
class RetrySettings:
    """How long the backplane keeps trying when Redis is away."""

    #: Give up (BackplaneUnavailable) after this many seconds of failures.
    deadline_s: float = 20.0
    #: First backoff; doubles per attempt up to `max_backoff_s`, with jitter.
    initial_backoff_s: float = 0.05
    max_backoff_s: float = 1.0


async def call_with_retry(what: str, fn: Callable[[], Awaitable[T]], settings: RetrySettings) -> T:
    """Run `fn` until it succeeds, a non-transient error escapes, or the deadline passes."""
    try:  # the common case pays for no retry machinery
        return await fn()
    except TRANSIENT as exc:
        log.warning("backplane: %s failed (%s), retrying", what, type(exc).__name__)
    retrying = AsyncRetrying(
        retry=retry_if_exception_type(TRANSIENT),
        wait=wait_exponential_jitter(
            multiplier=settings.initial_backoff_s, max=settings.max_backoff_s
        ),
        stop=stop_after_delay(settings.deadline_s),
        before_sleep=lambda state: log.warning(
            "backplane: %s failed (%s), retrying (attempt %d)",
            what,
            type(state.outcome.exception()).__name__ if state.outcome else "?",
            state.attempt_number,
        ),
    )

    async def attempt() -> T:
        return await fn()

    try:
        return await retrying(attempt)
    except RetryError as exc:
        raise BackplaneUnavailable(
            f"{what}: Redis did not answer for {settings.deadline_s:.0f} s"
        ) from exc.last_attempt.exception()
