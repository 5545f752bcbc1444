"""The load benchmark's in-process path on a few calls: every frame decided, the report whole."""

import asyncio
import itertools
import json

import pytest

from switchboard.testing.corpus import bargein_dev_dir
from tests.voice.scripts import load_script

CORPUS = bargein_dev_dir()


def test_ramped_starts_spread_evenly_and_bursts_stay_inside_one_frame():
    load = load_script("load.py")
    ramped = [load._offset(k, 10, 5.0) for k in range(10)]
    assert ramped[0] == 0.0 and ramped[-1] == pytest.approx(4.5)
    assert all(b - a == pytest.approx(0.5) for a, b in itertools.pairwise(ramped))
    burst = [load._offset(k, 100, 0.0) for k in range(100)]
    assert min(burst) == 0.0 and max(burst) < 0.02


@pytest.mark.slow
def test_a_few_calls_run_through_the_real_frame_path():
    if not (CORPUS / "manifest.jsonl").exists():
        pytest.skip("barge-in corpus not present beside the checkout")
    load = load_script("load.py")
    rows = [json.loads(x) for x in (CORPUS / "manifest.jsonl").read_text().splitlines()]
    clips = [r for r in rows if r["label"] == "interrupt"][:3]

    report = asyncio.run(load.run_n(clips, CORPUS, 3, 1.5, None, ramp_s=0.2))

    assert report["calls"] == 3 and report["dropped_frames"] == 0
    assert report["loop_cpu_us_per_frame"] > 0 and report["cpu_cores_used"] > 0
    lag = report["frame_lag_ms"]
    assert 0.0 <= lag["p50"] <= lag["p99"] <= lag["max"]
    assert report["silero_mean_batch"] >= 1.0
    assert report["gc"]["collections"] > 0  # every frame allocates: the collector ran
