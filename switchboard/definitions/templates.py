"""`{{slot}}` templates in instructions, prompts and replies, rendered from current slots.

`{{slot}}` renders a value the way an agent says it ("Friday, March 7 at 2:00 PM",
"(917) 555-0166"); `{{slot:raw}}` renders the stored, normalised value ("2025-03-07T14:00-05:00",
"+19175550166", "true"), which is what tool arguments need.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import phonenumbers

from switchboard.slots import SlotKind

_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*([A-Za-z0-9_]+)\s*)?\}\}")

BUILTIN_VARS = frozenset({"team", "agent"})
"""Variables every template may use besides slot names."""

RAW = "raw"
"""The `{{slot:raw}}` form: the stored value (ISO dates, E.164 phones), for tool arguments."""
FORMS = frozenset({RAW})
"""Forms a reference may ask for after a colon (none: the spoken form)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Reference:
    """One `{{name}}` or `{{name:form}}` in a template."""

    name: str
    form: str | None
    text: str
    """The exact source text, to point at it in error messages."""


def references(template: str) -> Iterator[Reference]:
    """Every variable reference in the template, in order."""
    for match in _VAR.finditer(template):
        yield Reference(name=match.group(1), form=match.group(2), text=match.group(0))


def whole_reference(template: str) -> Reference | None:
    """The reference if the template is nothing but one `{{...}}` (a value, not a sentence)."""
    match = _VAR.fullmatch(template.strip())
    return next(references(match.group(0))) if match else None


def raw(value: Any) -> str:
    """A slot value as stored: ISO date/time, E.164 phone, enum choice, 'true'/'false'; ''
    when unknown (a tool gets an empty argument, never the word 'unknown')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
    """Fill `{{name}}` with spoken slot values (or `extra` variables; unknown -> 'unknown') and
    `{{name:raw}}` with stored ones (unknown -> '')."""

    def sub(match: re.Match[str]) -> str:
        name, form = match.group(1), match.group(2)
        if extra and name in extra:
            return extra[name]
        if form == RAW:
            return raw(values.get(name))
        return spoken(values.get(name), kinds.get(name))

    return _VAR.sub(sub, template)
