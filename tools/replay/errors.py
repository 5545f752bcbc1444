"""Errors of the replay tool."""

from __future__ import annotations


class ReplayError(Exception):
    """Base class of replay errors."""


class BadExport(ReplayError):
    """A session file that is not a switchboard export (or a newer format than this code)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")
