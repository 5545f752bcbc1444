"""What a slot accepts, and the call-time context its values are read in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from .kinds import SlotKind


@dataclass(frozen=True, kw_only=True, slots=True)
class SlotRules:
    """Validation rules of one slot, as declared in a definition file."""

    name: str
    kind: SlotKind
    choices: tuple[str, ...] = ()
    """Allowed values of an enum slot."""
    synonyms: dict[str, str] = field(default_factory=dict)
    """Other words for an enum choice, lower-case word -> choice."""
    pattern: str | None = None
    """Regex a text value must match in full (e.g. a member ID format)."""
    min_length: int = 1
    """Shortest accepted text value."""
    region: str | None = None
    """Default phone region (ISO 3166 code) for numbers said without a country code."""
    prefer: Literal["future", "past"] = "future"
    """How to read an ambiguous date ("Tuesday"), and which side of `now` is valid."""

    def compiled_pattern(self) -> re.Pattern[str] | None:
        return re.compile(self.pattern) if self.pattern else None


@dataclass(frozen=True, kw_only=True, slots=True)
class SlotContext:
    """Where and when a value is read: relative dates count from the call clock."""

    now: datetime
    """The call clock's current time, timezone-aware, in the team's timezone."""
    region: str = "US"
    """Phone region used when a slot does not name its own."""
