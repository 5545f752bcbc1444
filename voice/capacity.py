"""How many calls this process takes: new calls are refused before the calls it has suffer.

One process's event loop carries every call's frames. Past its capacity the frames of every
call queue behind each other: `bench/load.py --transport ws` at 100 calls on 2 cores saw frame
lag grow to seconds and keep growing, so every caller's barge-in pause came seconds late, where
the same server limited to 50 calls served its 50 at p99 37 ms and answered the rest busy. So
past `max_calls` live calls a new call gets `<Reject reason="busy"/>` at the Voice webhook (no
session is made) and `/ready` answers 503, so that a load balancer or Kubernetes sends new calls
to other workers first (as LiveKit's agent workers stop taking jobs above their load limit).
Calls already taken, and the reconnecting streams of calls already taken, are never refused.

`/ready` also reports how late the calls' frames reach them (`StreamPace`, `FrameLag`). It is
not a refusal rule: a stream that starts while the process is already behind counts from its
own late start, so during a ramp the figure trails the truth (100 calls arriving over 20 s: a
50 ms limit on its median let 80 in, and their frames ended up seconds late). Set `max_calls`
from the load benchmark on the machine the workers run on.
"""

from __future__ import annotations

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
    """Live calls in this process (MAX_CALLS); None: no limit."""
    lag_window_s: float = 1.0
    """How far back the reported frame lateness looks."""
    lag_percentile: float = 50.0
    """Which percentile of the window's frames `/ready` reports."""
    admitted_hold_s: float = 15.0
    """A call admitted at the webhook counts against `max_calls` until its stream starts, or
    this long (a burst of webhooks must not all pass before the first stream arrives)."""

    def __post_init__(self) -> None:
        if self.max_calls is not None and self.max_calls < 1:
            raise VoiceError(f"max_calls must be at least 1, got {self.max_calls}")
        if self.lag_window_s <= 0 or self.admitted_hold_s <= 0:
            raise VoiceError("lag_window_s and admitted_hold_s must be positive")
        if not 0 < self.lag_percentile <= 100:
            raise VoiceError(f"lag_percentile must be in (0, 100], got {self.lag_percentile}")


class StreamPace:
    """How late one stream's frames reach the server, against Twilio's media timestamps.

    Twilio sends a frame every 20 ms stamped with its place in the stream; the earliest any
    frame of the stream arrived (its arrival minus its stamp) is the line's own delay, and
    every frame's lateness is counted from there. A server that keeps up sees a few ms of
    jitter; one that does not sees frames queue in its sockets, later and later."""

    __slots__ = ("_origin",)

    def __init__(self) -> None:
        self._origin: float | None = None

    def late_s(self, timestamp_ms: int, now: float) -> float:
        offset = now - timestamp_ms / 1000.0
        if self._origin is None or offset < self._origin:
            self._origin = offset
        return offset - self._origin


class FrameLag:
    """Lateness of the frames of every stream in this process, over a recent window."""

    def __init__(self, *, window_s: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self.window_s = window_s
        self.clock = clock
        self._frames: collections.deque[tuple[float, float]] = collections.deque()  # (at, late)

    def record(self, at: float, late_s: float) -> None:
        """A frame that reached the call at `at`, `late_s` seconds late."""
        frames = self._frames
        frames.append((at, late_s))
        while frames[0][0] < at - self.window_s:
            frames.popleft()

    def recent_ms(self, percentile: float = 90.0) -> float | None:
        """The lateness percentile over the window, in ms (None: no frame in it)."""
        now = self.clock()
        late = sorted(s for at, s in self._frames if at >= now - self.window_s)
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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._live = live_calls
        self._clock = clock
        self.lag = FrameLag(window_s=settings.lag_window_s, clock=clock)
        """Streams record their frames' lateness here (`StreamPace`)."""
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

    def refusal(self, calls: int | None = None) -> str | None:
        """Why a new call would be refused now (with `calls` taken, if counted already), or
        None when it is welcome."""
        n = self.calls() if calls is None else calls
        limit = self.settings.max_calls
        if limit is not None and n >= limit:
            return f"{n} calls in this process, the limit is {limit}"
        return None

    def admit(self, call_sid: str) -> None:
        """A new call was taken: it counts from now on (its stream is on its way)."""
        self._admitted[call_sid] = self._clock()

    def refuse(self, call_sid: str, why: str) -> None:
        self.refused += 1
        log.warning("call %s: refused, %s", call_sid, why)

    def status(self) -> dict[str, object]:
        """What `/ready` reports."""
        n = self.calls()
        why = self.refusal(n)
        return {
            "ready": why is None,
            "reason": why,
            "calls": n,
            "max_calls": self.settings.max_calls,
            "frame_lag_ms": self.lag.recent_ms(self.settings.lag_percentile),
            "refused_calls": self.refused,
        }


__all__ = ["Capacity", "CapacitySettings", "FrameLag", "StreamPace"]
