"""The barge-in decision rule replayed on recorded frames, for `train.py`.

Every candidate's frames (as `train.py` records them) and a score per frame go in; the rule the
policy applies live (confirm from `confirm_ms` at `confirm_score`, at the window end at
`timeout_score`, stay paused past it while at least `extend_score`, confirm at the longest
pause at `final_score`) comes out as false cancels, recall and median cancel latency,
vectorised over every candidate at once: the operating-point search replays tens of thousands
of points in a minute.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voice.bargein_settings import BargeInSettings


def _first(mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Index of the first True per candidate (rows grouped by candidate from `starts`), or a
    number past the end where there is none."""
    big = len(mask) + 1
    return np.minimum.reduceat(np.where(mask, np.arange(len(mask)), big), starts)


@dataclass(frozen=True)
class _Replay:
    """Recorded frames grouped by candidate, for replaying the decision rule on their scores."""

    s: np.ndarray  # score of each frame, rows sorted by clip, candidate, time
    t: np.ndarray
    el: np.ndarray
    starts: np.ndarray  # first row of each candidate
    cand_clip: np.ndarray  # clip index of each candidate
    label: np.ndarray  # per clip: an interrupt?
    onset: np.ndarray
    window: int
    longest: int
    confirm_ms: int

    @classmethod
    def of(cls, rows: list[dict], scores: np.ndarray, clips: dict[str, dict],
           settings: BargeInSettings) -> _Replay:  # fmt: skip
        order = sorted(
            range(len(rows)), key=lambda i: (rows[i]["id"], rows[i]["start_ms"], rows[i]["t_ms"])
        )
        rows = [rows[i] for i in order]
        cand = [(r["id"], r["start_ms"]) for r in rows]
        starts = np.array([i for i in range(len(rows)) if i == 0 or cand[i] != cand[i - 1]])
        ids = sorted(clips)
        clip_of = {cid: k for k, cid in enumerate(ids)}
        return cls(
            s=scores[order],
            t=np.array([r["t_ms"] for r in rows]),
            el=np.array([r["elapsed_ms"] for r in rows]),
            starts=starts,
            cand_clip=np.array([clip_of[cand[i][0]] for i in starts]),
            label=np.array([clips[cid]["label"] == "interrupt" for cid in ids]),
            onset=np.array([clips[cid]["onset_ms"] or 0 for cid in ids]),
            window=settings.max_confirm_ms,
            longest=settings.longest_pause_ms,
            confirm_ms=settings.confirm_ms,
        )

    def fire(self, confirm: float, timeout: float, final: float | None = None) -> np.ndarray:
        """Per candidate, the first frame that confirms (past the end where none does)."""
        early = (self.el >= self.confirm_ms) & (self.el <= self.window) & (self.s >= confirm)
        late = (self.el >= self.window) & (self.el <= self.longest) & (self.s >= timeout)
        if final is not None and final < timeout:
            late |= (self.el == self.longest) & (self.s >= final)
        return _first(early | late, self.starts)

    def figures(self, fire: np.ndarray, extend: float) -> dict:
        """False cancels, recall and median cancel latency of one operating point."""
        s, el = self.s, self.el
        stop = _first(((el >= self.window) & (s < extend)) | (el > self.longest), self.starts)
        # on one frame the policy checks confirming first; fire == len: never fired
        ok = (fire <= stop) & (fire < len(s))
        when = np.full(len(self.label), np.iinfo(np.int64).max)
        np.minimum.at(when, self.cand_clip[ok], self.t[fire[ok]])
        fired = when < np.iinfo(np.int64).max
        delay = when - self.onset
        hit = fired & self.label & (delay >= -100) & (delay <= 2000)
        recall = float(hit.sum() / max(self.label.sum(), 1))
        p50 = float(np.median(delay[hit])) if hit.any() else 2000.0
        return {"fp": round(float(np.mean(fired[~self.label])), 4), "recall": round(recall, 4),
                "cancel_p50": p50,
                # recall first, but 100 ms of median cancel latency is worth one point of it
                "objective": round(recall - p50 / 10000, 4)}  # fmt: skip


def measure(
    rows: list[dict], scores: np.ndarray, clips: dict[str, dict], settings: BargeInSettings,
    point: dict[str, float],
) -> dict:  # fmt: skip
    """The figures of one operating point on recorded frames (e.g. of a corpus not trained on)."""
    replay = _Replay.of(rows, scores, clips, settings)
    fire = replay.fire(point["confirm_score"], point["timeout_score"], point.get("final_score"))
    return replay.figures(fire, point["extend_score"])


def operating_point(
    rows: list[dict],
    scores: np.ndarray,
    clips: dict[str, dict],
    settings: BargeInSettings,
    max_fp: float,
) -> tuple[dict[str, float], dict]:
    """Replay the decision rule on recorded frames (vectorised over every candidate at once);
    the best confirm / timeout / extend / final scores and their figures."""
    replay = _Replay.of(rows, scores, clips, settings)
    best: tuple[dict[str, float], dict] | None = None
    for confirm in np.arange(0.5, 0.99, 0.01):
        for timeout in np.arange(0.3, confirm + 1e-9, 0.05):
            extends = (
                np.arange(0.2, timeout + 1e-9, 0.1) if replay.longest > replay.window else [1.0]
            )
            # final == timeout: the longest pause decides as the window end does
            for final in [*np.arange(0.3, timeout - 1e-9, 0.1), timeout]:
                fire = replay.fire(confirm, timeout, final)
                for extend in extends:
                    stats = replay.figures(fire, extend)
                    if stats["fp"] <= max_fp and (
                        best is None or stats["objective"] > best[1]["objective"]
                    ):
                        point = {"confirm_score": round(float(confirm), 2),
                                 "timeout_score": round(float(timeout), 2),
                                 "extend_score": round(float(extend), 2),
                                 "final_score": round(float(final), 2)}  # fmt: skip
                        best = (point, stats)
    if best is None:
        raise SystemExit("no operating point meets --max-fp")
    return best
