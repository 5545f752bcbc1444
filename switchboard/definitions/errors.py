"""Errors in agent definition files, each pointing at file:line:column."""

from __future__ import annotations

from pathlib import Path


class DefinitionError(Exception):
    """One problem in a definition file: where it is, what is wrong and what is allowed."""

    def __init__(self, path: Path | str, line: int, column: int, message: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path = Path(path)
        self.line = line
        self.column = column
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class DefinitionErrors(DefinitionError):
    """Every problem found in a team folder, sorted by file and line."""

    def __init__(self, errors: list[DefinitionError]) -> None:
        ordered = sorted(errors, key=lambda e: (str(e.path), e.line, e.column, e.message))
        first = ordered[0]
        super().__init__(first.path, first.line, first.column, first.message)
        self.errors = ordered

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
