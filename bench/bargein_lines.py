"""The barge-in figures per kind of line: background and SNR (for `bench/bargein.py`).

The corpus scorer gives one recall and one false-cancel rate over all clips. What is left to
gain hides in that average: on the held-out training folds, turns over clean lines were found
97% of the time and turns over 0 dB babble 14%. This splits both figures by the line the clip
was mixed into (its `background` and `snr_db`), with the scorer's own rules: a turn counts when
a cancel lands within [onset - 100 ms, onset + 2 s], an ignore clip is wrong with any cancel.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping


def line_of(clip: dict) -> str:
    """'clean', or the background and its SNR: 'babble 0 dB'."""
    background = clip.get("background")
    if not background:
        return "clean"
    snr = clip.get("snr_db")
    return background if snr is None else f"{background} {snr:g} dB"


def by_line(
    clips: list[dict], events: Mapping[str, list[dict]]
) -> dict[str, dict[str, dict[str, float | int]]]:
    """Recall on interrupt clips and false cancels on ignore clips, per line (sorted by name),
    from each clip's events (by clip id; a clip without any has none); each entry:
    {"clips": n, "recall" or "false_cancels": rate}."""
    turns: dict[str, list[bool]] = defaultdict(list)
    wrong: dict[str, list[bool]] = defaultdict(list)
    for clip in clips:
        times = [e["t_ms"] for e in events.get(clip["id"], []) if e["type"] == "cancel"]
        if clip["label"] == "interrupt":
            onset = clip["onset_ms"]
            turns[line_of(clip)].append(any(onset - 100 <= t <= onset + 2000 for t in times))
        else:
            wrong[line_of(clip)].append(bool(times))
    return {
        "recall": {k: _rate(v, "recall") for k, v in sorted(turns.items())},
        "false_cancels": {k: _rate(v, "false_cancels") for k, v in sorted(wrong.items())},
    }


def _rate(flags: list[bool], name: str) -> dict[str, float | int]:
    return {"clips": len(flags), name: round(sum(flags) / len(flags), 4)}


__all__ = ["by_line", "line_of"]
