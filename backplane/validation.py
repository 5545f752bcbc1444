"""Checks on values before they reach a script: bad input fails here and writes nothing."""

from __future__ import annotations

import json
import math
from typing import Any

from backplane.errors import InvalidInput
from backplane.keys import (
    AGENT_NAME_PATTERN,
    MAX_REASON_BYTES,
    MAX_SLOT_VALUE_BYTES,
    MAX_TEXT_BYTES,
    SLOT_NAME_PATTERN,
)


def to_json(field: str, value: Any, limit: int) -> str:
    """Compact UTF-8 JSON of a value, or InvalidInput saying why it cannot be stored."""
    if isinstance(value, bytes | bytearray | memoryview):
        raise InvalidInput(field, "raw bytes are not stored; decode to text (UTF-8) first")
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise InvalidInput(field, f"not valid UTF-8 text ({exc.reason})") from None
    except (TypeError, ValueError) as exc:
        raise InvalidInput(field, f"not storable as JSON: {exc}") from None
    if size > limit:
        raise InvalidInput(field, f"{size} bytes, the limit is {limit}")
    return text


def slot_value_json(name: str, value: Any) -> str:
    return to_json(f"slot {name!r}", value, MAX_SLOT_VALUE_BYTES)


def check_slot_name(name: object) -> str:
    if not isinstance(name, str) or not SLOT_NAME_PATTERN.match(name):
        raise InvalidInput(
            "slot", f"{name!r} is not a slot name: lower-case letter, then a-z 0-9 _ (max 64)"
        )
    return name


def check_agent(name: object, field: str = "agent") -> str:
    if not isinstance(name, str) or not AGENT_NAME_PATTERN.match(name):
        raise InvalidInput(
            field, f"{name!r} is not an agent name: a letter, then A-Z a-z 0-9 _ . - (max 64)"
        )
    return name


def check_text(field: str, text: object, limit: int = MAX_TEXT_BYTES) -> str:
    if not isinstance(text, str):
        raise InvalidInput(field, f"must be text, got {type(text).__name__}")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise InvalidInput(field, f"not valid UTF-8 text ({exc.reason})") from None
    if size > limit:
        raise InvalidInput(field, f"{size} bytes, the limit is {limit}")
    return text


def check_reason(text: object) -> str:
    return check_text("reason", text, MAX_REASON_BYTES)


def check_number(field: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(field, f"must be a number, got {type(value).__name__}")
    if math.isnan(value) or not low <= value <= high:
        raise InvalidInput(field, f"{value} is outside [{low}, {high}]")
    return float(value)
