"""Errors raised while normalising a slot value."""

from __future__ import annotations


class SlotError(Exception):
    """Base class for slot errors."""


class SlotValueError(SlotError):
    """A caller's answer cannot be turned into a valid value for the slot.

    `message` is written for the caller-facing model: it says what was wrong and what is allowed,
    so an LLM (or the offline model) can re-ask without guessing.
    """

    def __init__(self, slot: str, message: str) -> None:
        super().__init__(f"{slot}: {message}")
        self.slot = slot
        self.message = message
