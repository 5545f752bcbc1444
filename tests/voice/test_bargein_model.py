"""The candidate scorer: the shipped model, the ONNX tree evaluator against scikit-learn and
against a plain walk of the file's trees, inputs."""

import json

import numpy as np
import pytest

from tests.voice.scripts import load_script
from voice.bargein_forest import Forest
from voice.bargein_model import FEATURES, MODEL_PATH, SegmentModel, default_model
from voice.bargein_settings import BargeInSettings
from voice.errors import VoiceError


def test_shipped_model_loads_with_its_operating_point():
    model = default_model()
    assert len(model.trees) > 10
    assert 0.0 < model.timeout_score <= model.confirm_score < 1.0
    meta = model.meta
    assert meta["corpus"] != "bargein-dev"  # trained on disjoint audio, dev is for measuring
    assert "cross_validated" in meta
    # trained for the settings it ships with: candidates recorded up to the longest pause
    assert meta["longest_pause_ms"] == BargeInSettings().longest_pause_ms
    # a rule of its own at the longest pause only if trained with one, and below the window's
    assert model.final_score is None or 0.0 < model.final_score <= model.timeout_score
    if model.embedding_axes is not None:
        assert model.embedding_axes.shape == (model.embedding_dims, 384)


def _toy(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(FEATURES)))
    y = (x[:, 2] + 0.5 * x[:, 15] - 0.3 * x[:, 0] * x[:, 4] + 0.3 * rng.normal(size=n)) > 0.2
    return x, y.astype(int)


def _exported(tmp_path, data: dict) -> SegmentModel:
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data))
    return SegmentModel.load(path)


@pytest.mark.parametrize("seed", [3, 4, 5])  # several: some rows sit within 1e-6 of a split
@pytest.mark.parametrize("kind", ["hgb", "gb"])
def test_onnx_trees_match_scikit_learn(tmp_path, kind, seed):
    train = load_script("bargein_train/train.py")
    learners = train.learners
    x, y = _toy(seed, 3000)
    w = np.ones(len(y))
    learner = learners.Learner(trees=40, leaves=15, min_leaf=20, temperature=3.0)
    if kind == "gb":
        learner = learners.Learner(kind="gb", trees=25, depth=3, temperature=1.0)
    model = _exported(tmp_path, train.fit(x, y, w, learner))
    (fitted,) = learners.bag(x, y, w, learner)
    # the forest scores what scikit-learn's log-odds give, over the temperature
    z = fitted.decision_function(x[:200]) / learner.temperature
    expected = 1.0 / (1.0 + np.exp(-z))
    got = np.array([model.score_vector(row) for row in x[:200]])
    assert np.allclose(got, expected, atol=1e-4)
    assert np.allclose(learners.scores([fitted], x[:200], learner), expected)
    # and the scores are not all alike (a forest of empty trees would also "match")
    assert got.min() < 0.3 and got.max() > 0.7


def _walk(tree: dict, x: np.ndarray) -> float:
    node = 0
    while tree["feature"][node] >= 0:
        go_left = x[tree["feature"][node]] <= tree["threshold"][node]
        node = int(tree["left"][node] if go_left else tree["right"][node])
    return tree["value"][node]


def test_shipped_trees_score_as_a_plain_walk_of_the_file_in_one_row_or_a_batch():
    data = json.loads(MODEL_PATH.read_text())
    model = default_model()
    n = len(FEATURES) + model.embedding_dims
    rng = np.random.default_rng(11)
    # inputs around the trees' own thresholds, so that every level is exercised both ways
    thresholds = np.array([t["threshold"][0] for t in data["trees"]])
    features = np.array([t["feature"][0] for t in data["trees"]])
    rows = rng.normal(size=(60, n)) * 3
    for j in range(n):
        at = thresholds[features == j]
        if len(at):
            spread = 0.05 * (1 + np.abs(at).mean())
            rows[:, j] = rng.choice(at, 60) + rng.normal(scale=spread, size=60)
    expected = np.array([sum(_walk(t, row) for t in data["trees"]) for row in rows])
    assert np.allclose(model.trees.totals(rows), expected, rtol=0, atol=1e-9)
    assert np.allclose([model.trees.total(row) for row in rows], expected, rtol=0, atol=1e-9)
    assert expected.std() > 0.5  # the rows reach different leaves


def test_a_forest_of_no_trees_sums_to_zero():
    forest = Forest([], 4)  # training's collector runs a model that never confirms
    assert len(forest) == 0
    assert list(forest.totals(np.ones((3, 4)))) == [0.0, 0.0, 0.0]
    assert forest.total(np.ones(4)) == 0.0


def test_malformed_trees_are_refused_with_a_clear_error():
    leaf_only = {"feature": [-1], "threshold": [0.0], "left": [-1], "right": [-1], "value": [1.0]}
    with pytest.raises(VoiceError, match="without a split"):
        Forest([leaf_only], 3)
    out_of_range = {"feature": [7, -1, -1], "threshold": [0.5, 0, 0], "left": [1, -1, -1],
                    "right": [2, -1, -1], "value": [0, 1.0, 2.0]}  # fmt: skip
    with pytest.raises(VoiceError, match="input 7 of 3"):
        Forest([out_of_range], 3)
    dangling = {"feature": [0, -1], "threshold": [0.5, 0], "left": [1, -1], "right": [5, -1],
                "value": [0, 1.0]}  # fmt: skip
    with pytest.raises(VoiceError, match="malformed"):
        Forest([dangling], 3)


def test_a_bag_of_models_exports_as_one_forest_with_their_mean_log_odds(tmp_path):
    train = load_script("bargein_train/train.py")
    learners = train.learners
    x, y = _toy(5, 2000)
    w = np.ones(len(y))
    learner = learners.Learner(kind="gb", trees=10, depth=2, bag=3, temperature=2.0)
    data = train.fit(x, y, w, learner)
    assert len(data["trees"]) == 30
    model = _exported(tmp_path, data)
    models = learners.bag(x, y, w, learner)
    # the three differ (own subsamples), and the export is exactly their mean log-odds
    first, second = (m.decision_function(x[:100]) for m in models[:2])
    assert not np.allclose(first, second)
    mean = np.mean([m.decision_function(x[:100]) for m in models], axis=0)
    expected = 1.0 / (1.0 + np.exp(-mean / 2.0))
    got = np.array([model.score_vector(row) for row in x[:100]])
    assert np.allclose(got, expected, atol=1e-4)


def test_inputs_project_the_embedding_and_default_to_the_mean():
    data = json.loads(MODEL_PATH.read_text())
    data["embedding"] = {"mean": [1.0] * 4, "axes": [[1.0, 0, 0, 0], [0, 0, 2.0, 0]]}
    # trees for these inputs: the shipped ones split on the shipped embedding's 48 axes
    split = {"feature": [len(FEATURES), -1, -1], "threshold": [0.0, 0, 0], "left": [1, -1, -1],
             "right": [2, -1, -1], "value": [0, -1.0, 1.0]}  # fmt: skip
    data["trees"] = [split]
    model = SegmentModel(data)
    features = dict.fromkeys(FEATURES, 0.5)
    without = model.inputs(features)
    assert without.shape == (len(FEATURES) + 2,) and np.all(without[-2:] == 0.0)
    with_emb = model.inputs(features, np.array([3.0, 1.0, 0.0, 1.0]))
    assert list(with_emb[-2:]) == [2.0, -2.0]
    assert model.score(features, np.array([3.0, 1.0, 0.0, 1.0])) > model.score(features)


def test_a_model_for_other_features_is_refused(tmp_path):
    data = json.loads(MODEL_PATH.read_text())
    data["features"] = data["features"][:-1]
    with pytest.raises(VoiceError, match="do not match"):
        SegmentModel(data)
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(VoiceError, match="cannot load"):
        SegmentModel.load(path)


def test_held_out_folds_never_score_a_clip_with_a_model_that_heard_its_voices():
    train = load_script("bargein_train/train.py")
    remix = load_script("bargein_train/remix.py")
    assert [remix.voices(c) for c in ("t0001", "v0002", "x0003", "u0004", "w0005", "y0006")] == [
        "t", "t", "t", "u", "u", "u"
    ]  # fmt: skip
    # two voice families where the same cue means opposite things: only a model that heard a
    # family can score it right
    rng = np.random.default_rng(3)
    n = 1200
    rows = [{"id": f"{'tu'[k % 2]}{k // 2:04d}"} for k in range(n)]
    family = np.array([k % 2 for k in range(n)])
    cue = rng.normal(size=n)
    x = np.column_stack([cue, family])
    y = ((cue > 0) == (family == 0)).astype(np.int64)
    learner = train.learners.Learner(trees=30, leaves=7, min_leaf=10)

    def agreement(scores: np.ndarray) -> float:
        return float(np.mean((scores > 0.5) == (y == 1)))

    by_voices = train.out_of_fold(rows, x, y, np.ones(n), learner)
    by_clips = train.out_of_fold(rows, x, y, np.ones(n), learner, by_voices=False)
    assert agreement(by_voices) < 0.2  # each family scored by the other family's model
    assert agreement(by_clips) > 0.9  # random folds share the family: they look right


def test_the_training_collectors_model_without_trees_scores_one_half():
    train = load_script("bargein_train/train.py")
    model = train._no_model()  # records candidates, never decides on their score
    assert model.score(dict.fromkeys(FEATURES, 1.0)) == 0.5


def test_monotone_inputs_never_move_the_score_the_wrong_way(tmp_path):
    train = load_script("bargein_train/train.py")
    learners = train.learners
    rng = np.random.default_rng(9)
    n = 3000
    x = rng.normal(size=(n, len(FEATURES)))
    words, backchannel = FEATURES.index("content_words"), FEATURES.index("backchannel_only")
    # in this data more content words mean *less* turn: only a constraint keeps them upward
    y = (x[:, 2] - x[:, words] + 0.3 * rng.normal(size=n) > 0).astype(int)
    w = np.ones(n)

    def scores_along(model: SegmentModel, column: int) -> np.ndarray:
        base = x[:50].copy()
        steps = []
        for value in np.linspace(-3, 3, 13):
            base[:, column] = value
            steps.append([model.score_vector(row) for row in base])
        return np.diff(np.array(steps), axis=0)  # (steps - 1, rows): change per step up

    free = _exported(tmp_path, train.fit(x, y, w, learners.Learner(trees=30, min_leaf=20,
                                                                   monotone=False)))  # fmt: skip
    tied = _exported(tmp_path, train.fit(x, y, w, learners.Learner(trees=30, min_leaf=20)))
    assert scores_along(free, words).min() < -0.01  # the data pull it down...
    assert scores_along(tied, words).min() >= -1e-12  # ...the constraint holds it
    assert scores_along(tied, backchannel).max() <= 1e-12
