"""The invocation path against a real flaky calendar service on 127.0.0.1."""

from __future__ import annotations

import time

from toolkit_helpers import attempts_of, book_args, bookings, requests_seen, set_faults

from tools import FailureKind, RetryPolicy, ToolRuntime, ToolScope, ToolSettings
from tools.calendar_service import CalendarServer


def _fast(runtime: ToolRuntime, tool: str = "book_appointment", **retry: float) -> None:
    """Short deadlines for one tool, so a hang costs the test little."""
    cache = runtime.registry.get(tool).settings.cache_results
    runtime.overrides[tool] = ToolSettings(retry=RetryPolicy(**retry), cache_results=cache)


async def test_500s_then_success(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer, sleep
) -> None:
    set_faults(calendar.url, {"kind": "status", "status": 500}, {"kind": "status", "status": 503})
    result = await runtime.invoke(scope, "book_appointment", book_args())
    assert result.ok and result.attempts == 3
    assert result.value["status"] == "booked"
    assert [a.outcome for a in await attempts_of(scope.session)] == ["retry", "retry", "ok"]
    assert sleep.waits == [0.1, 0.2]  # exponential backoff (jitter pinned to 0 by the fixture)
    assert len(bookings(calendar.url)) == 1


async def test_429_retry_after_is_honoured(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer, sleep
) -> None:
    set_faults(calendar.url, {"kind": "status", "status": 429, "retry_after": "2"})
    result = await runtime.invoke(scope, "book_appointment", book_args())
    assert result.ok and result.attempts == 2
    assert sleep.waits == [2.0]  # the service's wait, not our backoff
    first, second = await attempts_of(scope.session)
    assert (first.outcome, first.error_class) == ("retry", "RetryAfter")
    assert second.outcome == "ok"


async def test_retry_after_beyond_the_deadline_gives_up_at_once(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer, sleep
) -> None:
    set_faults(calendar.url, {"kind": "status", "status": 429, "retry_after": "120"})
    result = await runtime.invoke(scope, "book_appointment", book_args())
    assert result.failure is not None and result.failure.kind is FailureKind.RATE_LIMITED
    assert result.failure.retry_after_s == 120.0
    assert sleep.waits == []
    assert bookings(calendar.url) == []


async def test_hang_past_the_deadline_gives_a_typed_failure_in_time(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer
) -> None:
    _fast(runtime, deadline_s=0.8, attempt_timeout_s=0.3, initial_backoff_s=0.05)
    set_faults(calendar.url, *[{"kind": "hang", "seconds": 30}] * 5)
    started = time.monotonic()
    result = await runtime.invoke(scope, "book_appointment", book_args())
    elapsed = time.monotonic() - started
    assert elapsed < 5.0  # wide bound: 0.8 s deadline, far from the 30 s hang
    assert result.failure is not None and result.failure.kind is FailureKind.TIMEOUT
    assert "offer_callback" in [a.value for a in result.failure.actions]
    outcomes = [a.outcome for a in await attempts_of(scope.session)]
    assert outcomes[-1] == "timeout" and set(outcomes[:-1]) <= {"retry"}
    assert "timeout" in result.for_model()


async def test_lost_response_does_not_book_twice(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer
) -> None:
    _fast(runtime, deadline_s=3.0, attempt_timeout_s=0.4, initial_backoff_s=0.05)
    set_faults(calendar.url, {"kind": "lose_response", "seconds": 5, "match": "POST /bookings"})
    result = await runtime.invoke(scope, "book_appointment", book_args())
    assert result.ok and result.attempts == 2
    # The service's own records: two POSTs arrived, one booking exists, under our key.
    assert requests_seen(calendar.url, "POST /bookings") == 2
    records = bookings(calendar.url)
    assert len(records) == 1
    assert records[0]["idempotency_key"] == result.idempotency_key
    assert result.value["id"] == records[0]["id"]


async def test_same_turn_same_arguments_served_from_cache(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer
) -> None:
    first = await runtime.invoke(scope, "book_appointment", book_args())
    again = await runtime.invoke(scope, "book_appointment", dict(reversed(book_args().items())))
    assert again.cached and again.value == first.value
    assert again.idempotency_key == first.idempotency_key
    assert requests_seen(calendar.url, "POST /bookings") == 1
    assert [a.outcome for a in await attempts_of(scope.session)] == ["ok", "cached"]


async def test_conflict_is_a_rejection_without_retry(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer, sleep
) -> None:
    await runtime.invoke(scope, "book_appointment", book_args())
    later = ToolScope(session=scope.session, turn=2, agent=scope.agent)
    result = await runtime.invoke(later, "book_appointment", book_args(name="Someone Else"))
    assert result.failure is not None and result.failure.kind is FailureKind.REJECTED
    assert result.failure.reason == "slot_taken" and result.attempts == 1
    assert sleep.waits == []
    assert len(bookings(calendar.url)) == 1


async def test_bad_arguments_and_unknown_tools_are_typed_failures(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer
) -> None:
    bad = await runtime.invoke(scope, "book_appointment", {"start": "x"})
    assert bad.failure is not None and bad.failure.kind is FailureKind.INVALID_ARGUMENTS
    unknown = await runtime.invoke(scope, "launch_rocket", {})
    assert unknown.failure is not None and unknown.failure.kind is FailureKind.UNKNOWN_TOOL
    outcomes = [(a.tool, a.outcome) for a in await attempts_of(scope.session)]
    assert outcomes == [("book_appointment", "failed"), ("launch_rocket", "failed")]
    assert requests_seen(calendar.url, "POST /bookings") == 0


async def test_connection_refused_is_retried_then_unavailable(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer
) -> None:
    calendar.stop()
    _fast(runtime, "find_availability", deadline_s=2.0, attempt_timeout_s=0.5, max_attempts=3)
    result = await runtime.invoke(scope, "find_availability", {"date": "2026-09-14"})
    assert result.failure is not None and result.failure.kind is FailureKind.UNAVAILABLE
    assert [a.outcome for a in await attempts_of(scope.session)] == ["retry", "retry", "failed"]


async def test_script_cache_lost_mid_call_is_reloaded(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer
) -> None:
    """After a Redis restart or failover the server forgets loaded scripts (NOSCRIPT)."""
    first = await runtime.invoke(scope, "find_availability", {"date": "2030-01-07"})
    await runtime.redis.script_flush()
    again = await runtime.invoke(scope, "find_availability", {"date": "2030-01-08"})
    assert first.ok and again.ok
