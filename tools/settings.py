"""Per-tool runtime settings: retries, deadline, circuit breaker."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class RetryPolicy:
    """How one invocation retries. The defaults fit a voice turn: the caller hears "one moment"
    and the answer (or an apology) comes within a few seconds."""

    #: The whole invocation, all attempts and waits included, ends by this many seconds.
    deadline_s: float = 6.0
    #: One attempt may take at most this long (and never past the deadline).
    attempt_timeout_s: float = 2.5
    #: At most this many attempts (the first one included).
    max_attempts: int = 4
    #: First backoff; doubles per attempt up to `max_backoff_s`.
    initial_backoff_s: float = 0.1
    max_backoff_s: float = 1.0
    #: Random extra wait in [0, jitter_s], so workers retrying together spread out.
    jitter_s: float = 0.1


@dataclass(frozen=True, kw_only=True, slots=True)
class BreakerSettings:
    """A circuit breaker per tool, shared by every worker through Redis."""

    #: Failed attempts (within `window_s`) that open the breaker.
    failure_threshold: int = 5
    #: Failures older than this are forgotten.
    window_s: float = 60.0
    #: While open, calls fail at once; after this many seconds one probe call is let through.
    cool_down_s: float = 30.0
    #: The probe's reservation: if the probing worker dies, another may probe after this.
    probe_timeout_s: float = 10.0


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolSettings:
    """Everything the runtime needs to know about one tool."""

    retry: RetryPolicy = RetryPolicy()
    breaker: BreakerSettings = BreakerSettings()
    #: Whether results are cached under the idempotency key. Off for pure reads whose answer
    #: may change (availability): they are still safe to retry.
    cache_results: bool = True
