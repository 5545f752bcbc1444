"""The barge-in benchmark end to end on a few corpus clips: all three detectors scored."""

import asyncio
import json

import pytest

from switchboard.testing.corpus import bargein_dev_dir
from tests.voice.scripts import load_script

CORPUS = bargein_dev_dir()


def _small_corpus(tmp_path):
    """A corpus of its own of a few dev clips, away from the scorer's folder (the bench falls
    back to the team's)."""
    if not (CORPUS / "manifest.jsonl").exists():
        pytest.skip("barge-in corpus not present beside the checkout")
    rows = [json.loads(x) for x in (CORPUS / "manifest.jsonl").read_text().splitlines()]
    picked = [r for r in rows if r["label"] == "interrupt"][:3]
    picked += [r for r in rows if r["category"] in ("cough", "backchannel")][:3]
    small = tmp_path / "small"
    small.mkdir()
    (small / "clips").symlink_to(CORPUS / "clips")
    (small / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in picked))
    return small, picked


@pytest.mark.slow
def test_bench_scores_hybrid_and_baselines_on_a_small_corpus(tmp_path):
    small, picked = _small_corpus(tmp_path)
    out = tmp_path / "results.jsonl"

    summary = asyncio.run(load_script("bargein.py").run(small, out))

    assert summary["clips"] == 6
    for name in ("hybrid", "silero_pipecat_defaults", "energy_baseline"):
        figures = summary[name]
        assert figures["interrupt_clips"] == 3 and figures["ignore_clips"] == 3
        assert 0.0 <= figures["false_positive_rate"] <= 1.0
        # split by line, the clips add up and the rates agree with the scorer's
        split = summary["by_line"][name]
        assert sum(x["clips"] for x in split["recall"].values()) == 3
        assert sum(x["clips"] for x in split["false_cancels"].values()) == 3
        found = sum(x["clips"] * x["recall"] for x in split["recall"].values())
        assert found == pytest.approx(figures["recall"] * 3, abs=1e-3)  # rates are rounded
        wrong = sum(x["clips"] * x["false_cancels"] for x in split["false_cancels"].values())
        assert wrong == pytest.approx(figures["false_positive_rate"] * 3, abs=1e-3)
    for name in ("hybrid", "energy_baseline"):  # the two that pause and resume
        assert {k: v["clips"] for k, v in summary["stutter"][name].items()} == {
            "ignore": 3,
            "interrupt": 3,
        }
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["id"] for x in lines] == [r["id"] for r in picked]
    kinds = {e["type"] for x in lines for e in x["events"]}
    assert kinds <= {"pause", "resume", "cancel"} and "pause" in kinds
    # every hybrid decision carries its reason and the scorer's inputs, for replay
    decisions = [d for x in lines for d in x["why"] if d["decision"] != "pause"]
    assert decisions and all(d["reason"] and "voiced_ms" in d["features"] for d in decisions)


@pytest.mark.slow
def test_a_fixed_decode_time_makes_runs_repeat_exactly(tmp_path):
    small, _ = _small_corpus(tmp_path)
    bench = load_script("bargein.py")
    outs = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    summaries = [asyncio.run(bench.run(small, out, decode_ms=60.0)) for out in outs]
    assert summaries[0]["words_land_after_ms"] == 60.0
    assert summaries[0]["recognitions"] > 0  # words were heard, and landed at the fixed time
    assert outs[0].read_text() == outs[1].read_text()  # every decision, reason and input
