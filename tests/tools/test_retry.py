"""Retry policy decisions, with a pinned clock and no waiting."""

from __future__ import annotations

import httpx
import pytest

from tools import RetryAfter, RetryPolicy, ToolRejected, ToolTimeout, ToolUnavailable
from tools.retry import Retrier, classify, parse_retry_after


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def retrier(clock: Clock, **policy: float) -> Retrier:
    return Retrier(RetryPolicy(**policy), monotonic=clock, rng=lambda: 1.0)


def test_backoff_doubles_with_jitter_and_caps() -> None:
    clock = Clock()
    r = retrier(clock, initial_backoff_s=0.1, max_backoff_s=0.3, jitter_s=0.05, max_attempts=9)
    err = ToolUnavailable("t")
    waits = [r.next_wait(err, n, started=100.0) for n in (1, 2, 3, 4)]
    assert waits == pytest.approx([0.15, 0.25, 0.35, 0.35])


def test_gives_up_on_attempt_limit_deadline_and_final_errors() -> None:
    clock = Clock()
    r = retrier(clock, max_attempts=3, deadline_s=2.0)
    assert r.next_wait(ToolUnavailable("t"), 3, started=100.0) is None
    assert r.next_wait(ToolRejected("t", "slot_taken"), 1, started=100.0) is None
    assert r.next_wait(None, 1, started=100.0) is None
    clock.now = 101.9  # 0.1 s left: no time for a wait plus an attempt
    assert r.next_wait(ToolTimeout("t", 1.0), 1, started=100.0) is None


def test_retry_after_wins_over_backoff_and_respects_the_deadline() -> None:
    clock = Clock()
    r = retrier(clock, deadline_s=6.0)
    assert r.next_wait(RetryAfter("t", 2.5), 1, started=100.0) == 2.5
    assert r.next_wait(RetryAfter("t", 30.0), 1, started=100.0) is None


def test_attempt_budget_is_capped_by_the_deadline() -> None:
    clock = Clock()
    r = retrier(clock, deadline_s=3.0, attempt_timeout_s=2.0)
    assert r.attempt_budget(started=100.0) == 2.0
    clock.now = 102.5
    assert r.attempt_budget(started=100.0) == pytest.approx(0.5)


def test_parse_retry_after() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_classify() -> None:
    request = httpx.Request("GET", "http://127.0.0.1/")
    assert isinstance(classify("t", httpx.ConnectError("x")), ToolUnavailable)
    assert isinstance(classify("t", httpx.ReadTimeout("x")), ToolTimeout)
    status = httpx.HTTPStatusError(
        "x", request=request, response=httpx.Response(429, headers={"Retry-After": "4"})
    )
    limited = classify("t", status)
    assert isinstance(limited, RetryAfter) and limited.seconds == 4.0
    assert classify("t", KeyError("bug")) is None
