"""The slot types a definition file may declare."""

from __future__ import annotations

import enum


class SlotKind(enum.StrEnum):
    """What kind of value a slot holds and how a caller's words become that value."""

    TEXT = "text"
    """Free text (a name, a reason); optional `pattern` regex and `min_length`."""
    PHONE = "phone"
    """A phone number, stored in E.164 (`+13125550187`) via `phonenumbers`."""
    DATE = "date"
    """A calendar day (`2025-03-11`) from phrases like "next Tuesday" or "March 3rd 1985"."""
    TIME = "time"
    """A time of day (`15:00`) from phrases like "at 3pm" or "noon"."""
    DATETIME = "datetime"
    """A moment (`2025-03-11T15:00:00-06:00`) from phrases like "next Tuesday at 3"."""
    ENUM = "enum"
    """One of `choices`; `synonyms` map other words onto a choice."""
    YES_NO = "yes_no"
    """A boolean from yes/no answers ("yeah", "nope", "that's right")."""


TEMPORAL_KINDS = frozenset({SlotKind.DATE, SlotKind.TIME, SlotKind.DATETIME})
