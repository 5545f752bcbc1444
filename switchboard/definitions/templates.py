"""`{{slot}}` templates in instructions, prompts and replies, rendered from current slots."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from typing import Any

import phonenumbers

from switchboard.slots import SlotKind

_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

BUILTIN_VARS = frozenset({"team", "agent"})
"""Variables every template may use besides slot names."""


def references(template: str) -> Iterator[tuple[str, str]]:
    """(variable name, exact source text) of every `{{name}}` in the template."""
    for match in _VAR.finditer(template):
        yield match.group(1), match.group(0)


def spoken(value: Any, kind: SlotKind | None) -> str:
    """A slot value the way an agent would say it: 'Tuesday, March 11 at 3:00 PM'."""
    if value is None:
        return "unknown"
    if kind is SlotKind.YES_NO or isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    try:
        if kind is SlotKind.DATETIME:
            moment = datetime.fromisoformat(text)
            return f"{moment:%A, %B} {moment.day} at {_clock(moment.time())}"
        if kind is SlotKind.DATE:
            day = date.fromisoformat(text)
            return f"{day:%A, %B} {day.day}, {day.year}"
        if kind is SlotKind.TIME:
            return _clock(time.fromisoformat(text))
        if kind is SlotKind.PHONE:
            number = phonenumbers.parse(text, None)
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    except (ValueError, phonenumbers.NumberParseException):
        return text
    return text


def _clock(value: time) -> str:
    hour = value.hour % 12 or 12
    suffix = "AM" if value.hour < 12 else "PM"
    return f"{hour}:{value.minute:02d} {suffix}"


def render(
    template: str,
    values: Mapping[str, Any],
    kinds: Mapping[str, SlotKind],
    extra: Mapping[str, str] | None = None,
) -> str:
    """Fill `{{name}}` with spoken slot values (or `extra` variables); unknown -> 'unknown'."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if extra and name in extra:
            return extra[name]
        return spoken(values.get(name), kinds.get(name))

    return _VAR.sub(sub, template)
