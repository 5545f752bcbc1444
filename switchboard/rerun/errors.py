"""Errors of the rerun."""

from __future__ import annotations


class RerunError(Exception):
    """Base class of rerun errors."""


class RerunMismatch(RerunError):
    """The rerun asked for something the recording cannot serve (a model call the call never
    made, or one made by another agent): behaviour diverged here."""

    def __init__(self, turn: int, message: str) -> None:
        self.turn = turn
        super().__init__(f"turn {turn}: {message}")


class NotReplayable(RerunError):
    """The recording lacks what a rerun needs (no SessionStarted event)."""
