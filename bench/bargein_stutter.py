"""How often the agent stutters: resumed, then paused again almost at once (for `bench/bargein.py`).

The corpus scorer counts a clip's first pause and its cancels; it cannot see the agent that
resumes for a syllable and stops again, over and over, on a noisy line or under a caller it was
unsure of. A caller hears that as a broken voice. A stutter here is a resume followed by the
next pause within `within_ms` (default 300 ms: the agent got out at most a word).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

STUTTER_MS = 300


def count(events: list[dict], within_ms: int = STUTTER_MS) -> int:
    """Resumes of one clip followed by a pause within `within_ms`."""
    n = 0
    for before, after in itertools.pairwise(sorted(events, key=lambda e: e["t_ms"])):
        if before["type"] == "resume" and after["type"] == "pause":
            n += after["t_ms"] - before["t_ms"] <= within_ms
    return n


def stutters(
    clips: list[dict], events: Mapping[str, list[dict]], within_ms: int = STUTTER_MS
) -> dict[str, dict[str, float | int]]:
    """Per label (ignore / interrupt clips), from each clip's events (by clip id): the share of
    clips with a stutter, and the mean number of stutters per clip."""
    out: dict[str, dict[str, float | int]] = {}
    for label in ("ignore", "interrupt"):
        counts = [count(events.get(c["id"], []), within_ms) for c in clips if c["label"] == label]
        if counts:
            out[label] = {
                "clips": len(counts),
                "with_stutter": round(sum(1 for n in counts if n) / len(counts), 4),
                "per_clip": round(sum(counts) / len(counts), 3),
            }
    return out


__all__ = ["STUTTER_MS", "count", "stutters"]
