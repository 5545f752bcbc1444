"""Which escalation rules a caller turn triggers."""

from __future__ import annotations

import re
from collections.abc import Iterable

from switchboard.definitions import EscalationRule


def triggered(
    rules: Iterable[EscalationRule],
    *,
    text: str,
    intents: set[str],
    rolling_sentiment: float,
    failures: int,
) -> list[EscalationRule]:
    """The rules whose trigger holds for this turn, in definition order."""
    lowered = text.lower()
    out = []
    for rule in rules:
        if rule.keywords and any(
            re.search(rf"\b{re.escape(k.lower())}\b", lowered) for k in rule.keywords
        ):
            out.append(rule)
        elif rule.intents and set(rule.intents) & intents:
            out.append(rule)
        elif rule.sentiment_below is not None and rolling_sentiment < rule.sentiment_below:
            out.append(rule)
        elif rule.failures is not None and failures >= rule.failures:
            out.append(rule)
    return out
