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


def pause_lengths(events: list[dict]) -> list[int]:
    """How long each resumed pause of one clip kept the agent quiet (pause to its resume)."""
    out, paused_at = [], None
    for e in sorted(events, key=lambda e: e["t_ms"]):
        if e["type"] == "pause" and paused_at is None:
            paused_at = e["t_ms"]
        elif e["type"] == "resume" and paused_at is not None:
            out.append(e["t_ms"] - paused_at)
            paused_at = None
        elif e["type"] == "cancel":
            paused_at = None
    return out


def hiccups(clips: list[dict], events: Mapping[str, list[dict]]) -> dict[str, float | int]:
    """On ignore clips (a cough, a "mm-hmm", a noise: the agent should go on), how long the
    agent fell silent before it resumed: each pause's length (p50, p95) and the silence per
    clip (mean). A pause that resumes is cheap only while it is short."""
    spans = [pause_lengths(events.get(c["id"], [])) for c in clips if c["label"] == "ignore"]
    flat = sorted(ms for clip in spans for ms in clip)
    if not flat:
        return {"pauses": 0}

    def pct(q: float) -> float:
        return float(flat[min(len(flat) - 1, int(q * len(flat)))])

    return {
        "pauses": len(flat),
        "pause_ms_p50": pct(0.5),
        "pause_ms_p95": pct(0.95),
        "silent_ms_per_clip": round(sum(flat) / len(spans), 1),
    }


__all__ = ["STUTTER_MS", "count", "hiccups", "pause_lengths", "stutters"]
