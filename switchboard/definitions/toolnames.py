"""What definition files may say about tools: the one seam between definitions and `tools`.

The tool runtime's registry is the truth: which names exist, which arguments each tool takes
(its JSON schema) and which of them are required. Action arguments in definition files are
checked against it, so a definition never passes arguments the real tool would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

import tools
from tools.builtin import BUILTIN_TOOLS as _BUILTIN

BUILTIN_TOOLS: frozenset[str] = frozenset(_BUILTIN)
"""The tools every installation has (calendar, CRM, SMS, transfer to a human)."""


def known_tools() -> frozenset[str]:
    """Registered tool names, built-ins included."""
    return tools.known_tools()


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolArguments:
    """The arguments one registered tool takes."""

    tool: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.required + self.optional)

    def describe(self) -> str:
        """'start, name, phone (required); reason, duration_min' — for error messages."""
        parts = []
        if self.required:
            parts.append(f"{', '.join(self.required)} (required)")
        if self.optional:
            parts.append(", ".join(self.optional))
        return "; ".join(parts) or "none"

    def check_value(self, argument: str, value: str) -> str | None:
        """Why a literal `value` is not acceptable for `argument` (None when it is)."""
        spec = tools.REGISTRY.get(self.tool)
        try:
            spec.params.model_validate({argument: value})
        except ValidationError as exc:
            for error in exc.errors():
                if error["loc"] and error["loc"][0] == argument:
                    return str(error["msg"])
        return None


def tool_arguments(name: str) -> ToolArguments | None:
    """The arguments of registered tool `name` (None for a name the registry lacks)."""
    if name not in known_tools():
        return None
    fields: dict[str, Any] = tools.REGISTRY.get(name).params.model_fields
    return ToolArguments(
        tool=name,
        required=tuple(n for n, f in fields.items() if f.is_required()),
        optional=tuple(n for n, f in fields.items() if not f.is_required()),
    )
