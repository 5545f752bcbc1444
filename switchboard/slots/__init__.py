"""Slot types: how a caller's words become typed, validated values (E.164, ISO dates, ...)."""

from .errors import SlotError, SlotValueError
from .extract import clean_answer, extract
from .kinds import TEMPORAL_KINDS, SlotKind
from .normalize import SlotScalar, normalize
from .rules import SlotContext, SlotRules

__all__ = [
    "TEMPORAL_KINDS",
    "SlotContext",
    "SlotError",
    "SlotKind",
    "SlotRules",
    "SlotScalar",
    "SlotValueError",
    "clean_answer",
    "extract",
    "normalize",
]
