"""`bench/bargein_targets.py`: each barge-in target, met or missed, from the scorer's summary."""

from tests.voice.scripts import load_script

targets = load_script("bargein_targets.py")


def test_each_target_is_read_from_the_summary_and_judged():
    score = {
        "false_positive_rate": 0.0143,
        "recall": 0.9,
        "pause_latency_ms": {"p50": 40.0, "p95": 421.5},
        "cancel_latency_ms": {"p50": 300.0, "p95": 1425.0},
    }
    got = targets.against_targets(score)
    assert got["false cancels"] == {"target": "<= 0.02", "measured": 0.0143, "met": True}
    assert got["recall"] == {"target": ">= 0.97", "measured": 0.9, "met": False}
    assert got["pause latency p50 ms"]["met"] is True
    assert got["pause latency p95 ms"]["met"] is False
    assert got["cancel latency p50 ms"]["met"] is True  # on the bound counts as met
    assert got["cancel latency p95 ms"]["met"] is False
    assert len(got) == len(targets.TARGETS)


def test_a_missing_figure_is_not_met():
    # no cancel landed at all: the scorer has no latency to report
    got = targets.against_targets({"false_positive_rate": 0.0, "recall": 0.0,
                                   "cancel_latency_ms": None})  # fmt: skip
    assert got["cancel latency p50 ms"] == {"target": "<= 300", "measured": None, "met": False}
    assert got["pause latency p95 ms"]["measured"] is None
    assert got["false cancels"]["met"] is True
