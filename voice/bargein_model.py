"""The barge-in candidate scorer: a small boosted-tree model over a candidate's numbers.

Hand rules over a dozen features (duration, Silero profile, level swing, periodicity, the words,
the background) kept trading one error for another, so the confirm/resume call is a learned
score: P(this candidate is a caller taking the turn | what is known at this frame). Its inputs
are the named `FEATURES` plus, once the candidate has been recognised, the Whisper encoder's
average over the candidate projected on a few principal axes (the encoder tells "English
addressed to the line" from a hum, a laugh or a room better than the decoder's guessed words).

The trees were trained by `bench/bargein_train/train.py` on a corpus built like the team's
barge-in corpus but from disjoint voices and sounds (`bench/bargein_train/sources.json`), so the
dev corpus stays a fair measurement. The file holds the trees as plain arrays (JSON); they are
evaluated by ONNX Runtime's tree-ensemble kernel (`voice.bargein_forest`), ~10 us a score.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import numpy as np

from voice.bargein_forest import Forest
from voice.errors import VoiceError

MODEL_PATH = Path(__file__).with_name("models") / "bargein_model.json"

FEATURES = (
    "elapsed_ms",
    "active_ms",
    "voiced_ms",
    "voiced_share",
    "max_prob",
    "mean_prob",
    "modulation_db",
    "rise_db",
    "bg_level_db",
    "bg_prob",
    "periodicity",
    "periodic_share",
    "flatness",
    "echo_share",
    "quiet_ms",
    "tail_prob",
    "tail_db",
    "recent_prob",
    "recent_rise_db",
    "recent_periodicity",
    "onset_rise_db",
    "prior_ms",
    "prior_score",
    "prior_gap_ms",
    "words_ready",
    "content_words",
    "backchannel_only",
    "no_speech",
    "logprob",
)
"""The model's inputs, in order (`BargeInPolicy.features` computes them)."""


class SegmentModel:
    """Gradient-boosted trees (log-odds sum, sigmoid) over `FEATURES`."""

    def __init__(self, data: Mapping[str, object]) -> None:
        names = tuple(data.get("features", ()))  # type: ignore[arg-type]
        if names != FEATURES:
            raise VoiceError(f"barge-in model features {names} do not match {FEATURES}")
        self.init = float(data["init"])  # type: ignore[arg-type]
        self.rate = float(data["learning_rate"])  # type: ignore[arg-type]
        projection = data.get("embedding")
        self.embedding_mean: np.ndarray | None = None
        self.embedding_axes: np.ndarray | None = None
        if projection:
            self.embedding_mean = np.asarray(projection["mean"], np.float64)  # type: ignore[index]
            self.embedding_axes = np.asarray(projection["axes"], np.float64)  # type: ignore[index]
        trees = list(data["trees"])  # type: ignore[call-overload]
        self.trees = Forest(trees, len(FEATURES) + self.embedding_dims)
        self.meta = dict(data.get("meta", {}))  # type: ignore[call-overload]
        # the operating point chosen at training time (settings may override it)
        self.confirm_score = float(self.meta.get("confirm_score", 0.8))
        self.timeout_score = float(self.meta.get("timeout_score", 0.5))
        # no extension past the window unless the model was trained with one
        self.extend_score = float(self.meta.get("extend_score", self.timeout_score))
        # at the longest pause; None: decided as at the window end (a model trained without)
        final = self.meta.get("final_score")
        self.final_score = None if final is None else float(final)

    @property
    def embedding_dims(self) -> int:
        return 0 if self.embedding_axes is None else len(self.embedding_axes)

    def project(self, embedding: np.ndarray | None) -> np.ndarray:
        """The embedding on the model's principal axes (zeros, i.e. the average candidate, when
        there is none yet). Done once per recognition, not per frame."""
        if self.embedding_axes is None or self.embedding_mean is None or embedding is None:
            return np.zeros(self.embedding_dims)
        return self.embedding_axes @ (np.asarray(embedding, np.float64) - self.embedding_mean)

    def inputs(
        self,
        features: Mapping[str, float | int | str],
        embedding: np.ndarray | None = None,
        *,
        projected: np.ndarray | None = None,
    ) -> np.ndarray:
        """The input vector: named features, then the projected embedding."""
        named = np.array([float(features[name]) for name in FEATURES])
        if not self.embedding_dims:
            return named
        return np.concatenate([named, self.project(embedding) if projected is None else projected])

    def score(
        self,
        features: Mapping[str, float | int | str],
        embedding: np.ndarray | None = None,
        *,
        projected: np.ndarray | None = None,
    ) -> float:
        return self.score_vector(self.inputs(features, embedding, projected=projected))

    def score_vector(self, x: np.ndarray) -> float:
        return self.probability(self.trees.total(x))

    def score_rows(self, rows: np.ndarray) -> list[float]:
        """Scores of many input vectors at once (one tree-ensemble run)."""
        return [self.probability(total) for total in self.trees.totals(rows).tolist()]

    def probability(self, total: float) -> float:
        """The score from the trees' sum: log-odds from `init`, scaled by the learning rate."""
        return 1.0 / (1.0 + math.exp(-(self.init + self.rate * total)))

    @classmethod
    def load(cls, path: Path | str) -> SegmentModel:
        try:
            return cls(json.loads(Path(path).read_text()))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise VoiceError(f"cannot load barge-in model {path}: {exc}") from exc


@cache
def default_model() -> SegmentModel:
    """The shipped model (loaded once per process)."""
    return SegmentModel.load(MODEL_PATH)


__all__ = ["FEATURES", "MODEL_PATH", "SegmentModel", "default_model"]
