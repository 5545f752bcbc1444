"""Dates and times from natural phrases, read relative to the call clock."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from dateparser.search import search_dates

from .errors import SlotValueError
from .kinds import SlotKind
from .rules import SlotContext, SlotRules
from .spoken import whole_years, with_meridiem

_HAS_TIME = re.compile(
    r"\d{1,2}(:\d{2})?\s*[ap]\.?m\b|\d{1,2}:\d{2}|\bnoon\b|\bmidnight\b|\bmorning\b"
    r"|\bafternoon\b|\bevening\b",
    re.IGNORECASE,
)
# A phrase must mention a day, month, weekday or relative word to count as a date; otherwise
# dateparser happily reads "4567" (the end of a phone number) as the year 4567.
_HAS_DAY = re.compile(
    r"\b(today|tonight|tomorrow|yesterday|next|this|coming|monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|jan(uary)?"
    r"|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t|tember)?|oct(ober)?"
    r"|nov(ember)?|dec(ember)?|\d{1,2}(st|nd|rd|th))\b|\d{1,4}[/-]\d{1,2}[/-]\d{1,4}",
    re.IGNORECASE,
)

# dateparser's search finds nothing in a bare "3pm" (it needs "at 3pm"); read those directly.
_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*([ap])m\b", re.IGNORECASE)


def _clock_time(text: str) -> str | None:
    """'3pm' -> '15:00', '3:30am' -> '03:30'; None if `text` has no such time."""
    match = _CLOCK.search(text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if not (1 <= hour <= 12 and minute < 60):
        return None
    hour = hour % 12 + (12 if match.group(3).lower() == "p" else 0)
    return f"{hour:02d}:{minute:02d}"


def _settings(rules: SlotRules, ctx: SlotContext) -> dict[str, Any]:
    return {
        "RELATIVE_BASE": ctx.now.replace(tzinfo=None),
        "PREFER_DATES_FROM": rules.prefer,
        "RETURN_AS_TIMEZONE_AWARE": False,
    }


def _readable(text: str) -> str:
    """Spoken forms dateparser misreads, rewritten: split years, bare hours, "3 p.m."."""
    return with_meridiem(whole_years(text))


def find_phrase(text: str, kind: SlotKind) -> str | None:
    """The date/time phrase in free text, or None; used by extractors before normalising."""
    prepared = _readable(text)
    found = search_dates(prepared, languages=["en"]) or []
    for phrase, _ in found:
        if kind is SlotKind.TIME and _HAS_TIME.search(phrase):
            return phrase
        if kind is not SlotKind.TIME and _HAS_DAY.search(phrase):
            return phrase
    if kind is SlotKind.TIME and _clock_time(prepared):
        return _CLOCK.search(prepared).group(0)  # type: ignore[union-attr]
    return None


def parse_temporal(rules: SlotRules, raw: str, ctx: SlotContext) -> str:
    """Normalise `raw` to ISO 8601 for a date, time or datetime slot."""
    prepared = _readable(raw.strip())
    found = search_dates(prepared, languages=["en"], settings=_settings(rules, ctx)) or []
    hit = next(
        (
            (phrase, value)
            for phrase, value in found
            if rules.kind is SlotKind.TIME or _HAS_DAY.search(phrase)
        ),
        None,
    )
    if hit is None and rules.kind is SlotKind.TIME and _clock_time(prepared):
        return _clock_time(prepared)  # type: ignore[return-value]
    if hit is None:
        raise SlotValueError(rules.name, _what_is_allowed(rules.kind, f"could not read {raw!r}"))
    phrase, value = hit
    if rules.kind is SlotKind.TIME:
        if not _HAS_TIME.search(phrase):
            raise SlotValueError(rules.name, "expected a time of day such as '3pm' or '10:30am'")
        return value.strftime("%H:%M")
    if rules.kind is SlotKind.DATE:
        _check_side(rules, value.replace(hour=0, minute=0), ctx.now.replace(tzinfo=None), "day")
        return value.date().isoformat()
    if not _HAS_TIME.search(phrase):
        raise SlotValueError(
            rules.name, f"{phrase!r} has a day but no time; say a time too, e.g. 'at 3pm'"
        )
    local = value.replace(second=0, microsecond=0)
    _check_side(rules, local, ctx.now.replace(tzinfo=None), "time")
    return local.replace(tzinfo=ctx.now.tzinfo).isoformat(timespec="minutes")


def _check_side(rules: SlotRules, value: datetime, now: datetime, what: str) -> None:
    # A day is compared with today's midnight (today is still bookable), a time with now.
    floor = now.replace(hour=0, minute=0) if what == "day" else now
    if rules.prefer == "future" and value < floor:
        raise SlotValueError(rules.name, f"that {what} has passed; a future {what} is needed")
    if rules.prefer == "past" and value > now:
        raise SlotValueError(rules.name, f"that {what} is in the future; a past {what} is needed")


def _what_is_allowed(kind: SlotKind, problem: str) -> str:
    examples = {
        SlotKind.DATE: "a day such as 'next Tuesday' or 'March 3rd 1985'",
        SlotKind.TIME: "a time such as '3pm'",
        SlotKind.DATETIME: "a day and time such as 'next Tuesday at 3pm'",
    }
    return f"{problem}; expected {examples[kind]}"
