"""Caller sentiment per turn, offline, with VADER (compound score in [-1, 1])."""

from __future__ import annotations

from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    # Loading the lexicon takes ~100 ms; do it once per process.
    return SentimentIntensityAnalyzer()


def score(text: str) -> float:
    """VADER compound score of one caller turn: -1 (very negative) .. 1 (very positive)."""
    return float(_analyzer().polarity_scores(text)["compound"])
