"""The garbage collector of a voice server: no long stop-the-world pause in the frame path.

CPython's cyclic collector stops everything while it walks the objects of a generation. A
server that has loaded Whisper, Silero, pydantic and FastAPI holds a few hundred thousand
long-lived objects, and a full (generation 2) collection walks all of them: at 100 calls over
WebSocket (`bench/load.py --transport ws`) those pauses took 37-102 ms, every frame of every
call waiting behind them. `settle()` runs once the server is loaded: one full collection, then
`gc.freeze()` moves every survivor to a permanent generation that later collections skip.
(Collecting the youngest generation less often, every 10,000 allocations instead of 700, cut
the number of collections by three quarters but not the frame lag: left at the default.)
`PauseLog` records every collection's pause, for the load benchmarks' reports.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from typing import Any


def settle() -> int:
    """Collect, then freeze what is alive now; call once the models are loaded. Returns how
    many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


@dataclass
class PauseLog:
    """Every collection's generation and pause (ms) while installed."""

    pauses: list[tuple[int, float]] = field(default_factory=list)
    _started: float = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            ms = (time.perf_counter() - self._started) * 1000
            self.pauses.append((int(info["generation"]), round(ms, 2)))

    def install(self) -> PauseLog:
        gc.callbacks.append(self)
        return self

    def remove(self) -> None:
        if self in gc.callbacks:
            gc.callbacks.remove(self)

    def summary(self) -> dict[str, float | int]:
        """Count, longest pause and full (generation 2) collections, for a report."""
        ms = [p for _, p in self.pauses]
        return {
            "collections": len(ms),
            "full_collections": sum(1 for g, _ in self.pauses if g == 2),
            "max_pause_ms": max(ms, default=0.0),
            "pauses_over_10ms": sum(1 for p in ms if p > 10.0),
        }

    def drain(self) -> dict[str, float | int]:
        """`summary()`, then start counting afresh (one report per measured period)."""
        summary = self.summary()
        self.pauses.clear()
        return summary


__all__ = ["PauseLog", "settle"]
