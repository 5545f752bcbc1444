"""The `barge_in:` block of team.yaml and agent files: keys, value checks, the merged settings.

The settings themselves live in `voice.bargein_settings.BargeInSettings`; this module only
checks a definition's mapping against it (so `switchboard validate` reports a bad key or value
at its line) and overlays an agent's block on the team default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from voice.bargein_settings import BargeInSettings
from voice.errors import VoiceError

BARGE_IN_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(BargeInSettings))
"""Every setting a `barge_in:` block may set."""

_WORD_LISTS = frozenset(
    f.name for f in dataclasses.fields(BargeInSettings) if isinstance(f.default, frozenset)
)
_NULLABLE = frozenset(
    f.name for f in dataclasses.fields(BargeInSettings) if "None" in str(f.type)
)  # `reonset_rise_db: null` turns a rule off, `confirm_score: null` takes the model's own


def merged(team: Mapping[str, Any], agent: Mapping[str, Any]) -> dict[str, Any]:
    """The team default overlaid by the agent's own keys."""
    return {**team, **agent}


def value_problem(key: str, value: Any) -> str | None:
    """Why `value` cannot be the setting `key` (None if it can); the key must be known."""
    if key in _WORD_LISTS:
        ok = isinstance(value, list) and all(isinstance(w, str) for w in value)
        return None if ok else "must be a list of words"
    if value is None and key in _NULLABLE:
        return None
    default = next(f.default for f in dataclasses.fields(BargeInSettings) if f.name == key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number (default {default})"
    if isinstance(default, int) and not isinstance(value, int):
        return f"must be a whole number of milliseconds (default {default})"
    if value < 0:
        return f"must not be negative (default {default})"
    return None


def settings_problem(data: Mapping[str, Any]) -> str | None:
    """Why the (already key- and type-checked) mapping is not a valid combination, if it is not."""
    try:
        BargeInSettings.from_mapping(data)
    except (VoiceError, TypeError, ValueError) as exc:
        return str(exc)
    return None


def build(team: Mapping[str, Any], agent: Mapping[str, Any]) -> BargeInSettings:
    """The settings an agent's calls use (validation has already accepted them)."""
    return BargeInSettings.from_mapping(merged(team, agent))


__all__ = ["BARGE_IN_KEYS", "build", "merged", "settings_problem", "value_problem"]
