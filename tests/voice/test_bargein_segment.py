"""A candidate segment's running numbers equal the plain computation over its frames."""

import random

import numpy as np

from voice.bargein_features import FrameShape
from voice.bargein_segment import Segment


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _plain(seg: Segment, shapes: list[FrameShape], speech_prob: float) -> dict:
    """The numbers recomputed from the lists, as the policy did before keeping them running."""
    probs = seg.probs or [0.0]
    levels = seg.levels
    voiced_ms = 32 * sum(1 for p in seg.probs if p >= speech_prob)
    valid = [sh for sh in shapes if sh.flatness > 0] or [FrameShape(0.0, 0.0)]
    period = [sh.periodicity for sh in valid]
    bg = seg.bg_level_db

    def rise(values: list[float]) -> float:
        return round(_mean(values) - bg, 1) if values else 0.0

    return {
        "elapsed_ms": seg.now_ms - seg.start_ms,
        "active_ms": seg.active * 20,
        "voiced_ms": voiced_ms,
        "voiced_share": round(voiced_ms / 32 / len(seg.probs), 3) if seg.probs else 0.0,
        "max_prob": round(max(probs), 3),
        "mean_prob": round(_mean(probs), 3),
        "modulation_db": round(float(np.percentile(levels, 90) - np.percentile(levels, 10)), 1)
        if len(levels) > 2
        else 0.0,
        "rise_db": rise(levels),
        "bg_level_db": round(bg, 1),
        "bg_prob": round(seg.bg_prob, 3),
        "periodicity": round(_mean(period), 3),
        "periodic_share": round(sum(1 for v in period if v >= 0.75) / len(period), 3),
        "flatness": round(_mean([sh.flatness for sh in valid]), 3),
        "echo_share": round(seg.echo / seg.frames, 3) if seg.frames else 0.0,
        "quiet_ms": seg.quiet_run * 20,
        "tail_prob": round(_mean(seg.probs[-3:]), 3) if seg.probs else 0.0,
        "tail_db": round(_mean(levels[-3:]) - max(levels), 1) if levels else 0.0,
        "recent_prob": round(_mean(seg.probs[-10:]), 3) if seg.probs else 0.0,
        "recent_rise_db": rise(levels[-15:]),
        "recent_periodicity": round(_mean(period[-15:]), 3),
        "onset_rise_db": rise(levels[:5]),
    }


def test_running_numbers_equal_the_plain_computation_frame_by_frame():
    rng = random.Random(3)
    for trial in range(40):
        seg = Segment(start_ms=1000, bg_level_db=rng.uniform(-70, -30), bg_prob=rng.random())
        shapes: list[FrameShape] = []
        speech_prob = 0.5
        for frame in range(rng.randint(1, 70)):
            seg.frames += 1
            seg.now_ms = 1000 + 20 * (frame + 1)
            seg.active += rng.random() < 0.7
            seg.echo += rng.random() < 0.1
            seg.quiet_run = 0 if rng.random() < 0.8 else seg.quiet_run + 1
            level = round(rng.uniform(-60, -10), rng.choice([1, 6]))  # ties, and not
            seg.add_level(level)
            # 20 ms frames complete 0, 1 or (rarely) 2 Silero windows
            probs = [rng.choice([0.0, rng.random(), 1.0]) for _ in range(rng.choice([0, 1, 1, 2]))]
            seg.add_probs(probs)
            silent = rng.random() < 0.1
            shape = FrameShape(0.0, 0.0) if silent else FrameShape(rng.random(), rng.random())
            seg.add_shape(shape)
            shapes.append(shape)
            if trial % 5 == 0 and frame == 10:
                speech_prob = 0.6  # a changed threshold is recounted, not mixed
            assert seg.acoustics(speech_prob) == _plain(seg, shapes, speech_prob)
            assert seg.voiced_ms(speech_prob) == 32 * sum(p >= speech_prob for p in seg.probs)


def test_an_empty_segment_has_neutral_numbers():
    seg = Segment(start_ms=0)
    got = seg.acoustics(0.5)
    assert got == _plain(seg, [], 0.5)
    assert got["mean_prob"] == got["periodicity"] == got["flatness"] == 0.0
