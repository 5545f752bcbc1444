"""The candidate scorer: the shipped model, the numpy evaluator against scikit-learn, inputs."""

import json

import numpy as np
import pytest

from tests.voice.scripts import load_script
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


def test_numpy_trees_match_scikit_learn(tmp_path):
    train = load_script("bargein_train/train.py")
    rng = np.random.default_rng(3)
    n = 3000
    x = rng.normal(size=(n, len(FEATURES)))
    y = ((x[:, 2] + 0.5 * x[:, 15] - 0.3 * x[:, 0] * x[:, 4]) > 0.2).astype(int)
    w = np.ones(n)
    data = train.fit(x, y, w, trees=25, depth=3)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data))
    model = SegmentModel.load(path)
    gb = train._boost(x, y, w, 25, 3)
    expected = gb.predict_proba(x[:200])[:, 1]
    got = np.array([model.score_vector(row) for row in x[:200]])
    assert np.allclose(got, expected, atol=1e-4)


def test_a_bag_of_models_exports_as_one_forest_with_their_mean_log_odds(tmp_path):
    train = load_script("bargein_train/train.py")
    rng = np.random.default_rng(5)
    n = 2000
    x = rng.normal(size=(n, len(FEATURES)))
    y = ((x[:, 1] - 0.7 * x[:, 9] + 0.4 * rng.normal(size=n)) > 0).astype(int)
    w = np.ones(n)
    data = train.fit(x, y, w, trees=10, depth=2, bag=3)
    assert len(data["trees"]) == 30
    path = tmp_path / "bag.json"
    path.write_text(json.dumps(data))
    model = SegmentModel.load(path)
    models = train._bag(x, y, w, 10, 2, 3)
    # the three differ (own subsamples), and the export is exactly their mean log-odds
    first, second = (m.decision_function(x[:100]) for m in models[:2])
    assert not np.allclose(first, second)
    expected = 1.0 / (1.0 + np.exp(-train._log_odds(models, x[:100])))
    got = np.array([model.score_vector(row) for row in x[:100]])
    assert np.allclose(got, expected, atol=1e-4)


def test_inputs_project_the_embedding_and_default_to_the_mean():
    data = json.loads(MODEL_PATH.read_text())
    data["embedding"] = {"mean": [1.0] * 4, "axes": [[1.0, 0, 0, 0], [0, 0, 2.0, 0]]}
    model = SegmentModel(data)
    features = dict.fromkeys(FEATURES, 0.5)
    without = model.inputs(features)
    assert without.shape == (len(FEATURES) + 2,) and np.all(without[-2:] == 0.0)
    with_emb = model.inputs(features, np.array([3.0, 1.0, 0.0, 1.0]))
    assert list(with_emb[-2:]) == [2.0, -2.0]


def test_a_model_for_other_features_is_refused(tmp_path):
    data = json.loads(MODEL_PATH.read_text())
    data["features"] = data["features"][:-1]
    with pytest.raises(VoiceError, match="do not match"):
        SegmentModel(data)
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(VoiceError, match="cannot load"):
        SegmentModel.load(path)
