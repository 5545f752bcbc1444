"""Issue 8's barge-in targets beside the measured figures (for `bench/bargein.py`).

Every run says plainly which target it meets and which it misses, so a change is read against
the goal and not only against the last run.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping

# (figure, path into the scorer's summary, comparison, target)
TARGETS: tuple[tuple[str, tuple[str, ...], str, float], ...] = (
    ("false cancels", ("false_positive_rate",), "<=", 0.02),
    ("recall", ("recall",), ">=", 0.97),
    ("pause latency p50 ms", ("pause_latency_ms", "p50"), "<=", 60),
    ("pause latency p95 ms", ("pause_latency_ms", "p95"), "<=", 120),
    ("cancel latency p50 ms", ("cancel_latency_ms", "p50"), "<=", 300),
    ("cancel latency p95 ms", ("cancel_latency_ms", "p95"), "<=", 700),
)
_COMPARE = {"<=": operator.le, ">=": operator.ge}


def against_targets(score: Mapping) -> dict[str, dict[str, object]]:
    """Each target: what it asks, what was measured (None if the scorer had no figure: no
    pause or cancel landed), and whether it is met."""
    out: dict[str, dict[str, object]] = {}
    for name, path, op, target in TARGETS:
        value: object = score
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        measured = value if isinstance(value, int | float) else None
        met = measured is not None and _COMPARE[op](measured, target)
        out[name] = {"target": f"{op} {target:g}", "measured": measured, "met": met}
    return out


__all__ = ["TARGETS", "against_targets"]
