"""The shared scorer batch: every call's requests of one loop iteration in one run."""

import asyncio

import numpy as np
import pytest

from voice.bargein_batch import BatchScorer
from voice.bargein_model import default_model


def _rows(n: int) -> np.ndarray:
    model = default_model()
    rng = np.random.default_rng(7)
    return rng.normal(size=(n, model.trees.n_inputs)) * 50


async def test_requests_of_one_iteration_are_scored_in_one_run_as_one_by_one():
    model, scorer, rows = default_model(), BatchScorer(), _rows(30)
    scores = await asyncio.gather(*(scorer.score(model, row) for row in rows))
    assert scorer.runs == 1 and scorer.rows == 30
    assert scores == [model.score_vector(row) for row in rows]
    assert len(set(scores)) > 10  # the rows reach different leaves
    # requests of later iterations are later runs
    await scorer.score(model, rows[0])
    await scorer.score(model, rows[1])
    assert scorer.runs == 3


async def test_a_failing_run_fails_its_requests_and_the_next_run_works():
    model, scorer = default_model(), BatchScorer()
    with pytest.raises(ValueError):
        await scorer.score(model, np.zeros(3))  # the wrong number of inputs
    assert await scorer.score(model, _rows(1)[0]) == model.score_vector(_rows(1)[0])


async def test_a_request_whose_caller_went_away_does_not_stop_the_others():
    model, scorer, rows = default_model(), BatchScorer(), _rows(3)
    gone = asyncio.ensure_future(scorer.score(model, rows[0]))
    kept = asyncio.ensure_future(scorer.score(model, rows[1]))
    await asyncio.sleep(0)  # both queued
    gone.cancel()
    assert await kept == model.score_vector(rows[1])
    assert gone.cancelled()
