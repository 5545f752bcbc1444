"""How many calls this process takes: new calls are refused before the calls it has suffer.

One process's event loop carries every call's frames. Past its capacity the frames of every
call queue behind each other: `bench/load.py --transport ws` at 100 calls on 2 cores saw frame
lag grow to seconds and keep growing, so every caller's barge-in pause came seconds late. A
new call is therefore refused when the process already serves `max_calls`, or when its event
loop has been running late: a heartbeat timer every `heartbeat_s` measures how late it fires,
and the 90th percentile over the last `lag_window_s` (one GC pause or model load does not
close the door; a loop that stays behind does) is held against `max_loop_lag_ms`.

A refused call gets `<Reject reason="busy"/>` at the Voice webhook (no session is made), and
`/ready` answers 503 so a load balancer or Kubernetes sends new calls to other workers first,
as LiveKit's agent workers stop taking jobs above their load threshold. Calls already taken,
and the reconnecting streams of calls already taken, are never refused.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from voice.errors import VoiceError

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True, slots=True)
class CapacitySettings:
    """When this process stops taking new calls (None: no such limit)."""

    max_calls: int | None = None
    """Live calls in this process (MAX_CALLS)."""
    max_loop_lag_ms: float | None = None
    """Event-loop lag (90th percentile of the heartbeat over `lag_window_s`) above which new
    calls are refused (MAX_LOOP_LAG_MS). `switchboard serve` sets it from the environment,
    50 ms unless told otherwise; a server built in code has it off unless it asks."""
    lag_window_s: float = 2.0
    """How far back the lag percentile looks."""
    heartbeat_s: float = 0.1
    """How often the loop's lateness is measured."""
    admitted_hold_s: float = 15.0
    """A call admitted at the webhook counts against `max_calls` until its stream starts, or
    this long (a burst of webhooks must not all pass before the first stream arrives)."""

    def __post_init__(self) -> None:
        if self.max_calls is not None and self.max_calls < 1:
            raise VoiceError(f"max_calls must be at least 1, got {self.max_calls}")
        if self.max_loop_lag_ms is not None and self.max_loop_lag_ms <= 0:
            raise VoiceError(f"max_loop_lag_ms must be positive, got {self.max_loop_lag_ms}")
        if self.lag_window_s <= 0 or self.heartbeat_s <= 0 or self.admitted_hold_s <= 0:
            raise VoiceError("lag_window_s, heartbeat_s and admitted_hold_s must be positive")


class LoopLag:
    """How late a heartbeat timer on the running event loop fires, over a recent window."""

    def __init__(
        self,
        *,
        heartbeat_s: float = 0.1,
        window_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.heartbeat_s = heartbeat_s
        self.window_s = window_s
        self._clock = clock
        self._beats: collections.deque[tuple[float, float]] = collections.deque()  # (at, late)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._due = 0.0

    def ensure_running(self) -> None:
        """Start beating on the running loop (again, if an earlier loop has gone away)."""
        loop = asyncio.get_running_loop()
        if self._loop is loop and self._timer is not None:
            return
        self._loop = loop
        self._schedule(self._clock())

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None

    def _schedule(self, now: float) -> None:
        assert self._loop is not None
        self._due = now + self.heartbeat_s
        self._timer = self._loop.call_later(self.heartbeat_s, self._beat)

    def _beat(self) -> None:
        now = self._clock()
        self.record(now, max(0.0, now - self._due))
        self._schedule(now)

    def record(self, at: float, late_s: float) -> None:
        """One heartbeat at `at` that fired `late_s` seconds late."""
        self._beats.append((at, late_s))
        while self._beats and self._beats[0][0] < at - self.window_s:
            self._beats.popleft()

    def recent_ms(self, percentile: float = 90.0) -> float | None:
        """The lag percentile over the window, in ms (None: no heartbeat in it yet). A loop
        blocked for the whole window has no heartbeat in it either: the one that ends the block
        records how long it was."""
        now = self._clock()
        late = sorted(s for at, s in self._beats if at >= now - self.window_s)
        if not late:
            return None
        k = min(len(late) - 1, int(len(late) * percentile / 100.0))
        return round(late[k] * 1000.0, 1)


class Capacity:
    """Whether this process takes one more call, and why not."""

    def __init__(
        self,
        settings: CapacitySettings,
        live_calls: Callable[[], Collection[str]],
        *,
        lag: LoopLag | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._live = live_calls
        self._clock = clock
        self.lag = lag or LoopLag(heartbeat_s=settings.heartbeat_s, window_s=settings.lag_window_s)
        self._admitted: dict[str, float] = {}  # call -> when its webhook was admitted
        self.refused = 0

    def calls(self) -> int:
        """Live calls, plus those admitted whose stream has not started yet."""
        live = self._live()
        now = self._clock()
        hold = self.settings.admitted_hold_s
        self._admitted = {
            sid: at for sid, at in self._admitted.items() if sid not in live and now - at < hold
        }
        return len(live) + len(self._admitted)

    def refusal(self) -> str | None:
        """Why a new call would be refused now, or None when it is welcome."""
        s = self.settings
        if s.max_loop_lag_ms is not None:
            self.lag.ensure_running()
        n = self.calls()
        if s.max_calls is not None and n >= s.max_calls:
            return f"{n} calls in this process, the limit is {s.max_calls}"
        if s.max_loop_lag_ms is not None:
            lag = self.lag.recent_ms()
            if lag is not None and lag > s.max_loop_lag_ms:
                window = f"p90 over {s.lag_window_s:g} s"
                return f"event loop {lag} ms late ({window}), the limit is {s.max_loop_lag_ms:g} ms"
        return None

    def admit(self, call_sid: str) -> None:
        """A new call was taken: it counts from now on (its stream is on its way)."""
        self._admitted[call_sid] = self._clock()

    def refuse(self, call_sid: str, why: str) -> None:
        self.refused += 1
        log.warning("call %s: refused, %s", call_sid, why)

    def status(self) -> dict[str, object]:
        """What `/ready` reports."""
        why = self.refusal()
        return {
            "ready": why is None,
            "reason": why,
            "calls": self.calls(),
            "max_calls": self.settings.max_calls,
            "loop_lag_ms": self.lag.recent_ms(),
            "max_loop_lag_ms": self.settings.max_loop_lag_ms,
            "refused_calls": self.refused,
        }


__all__ = ["Capacity", "CapacitySettings", "LoopLag"]
