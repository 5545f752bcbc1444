"""Names shared by the models and the orchestrator: the slot tool and handoff tool names.

The offline model and a real LLM see the same tools; these are the names both rely on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

SET_SLOT_TOOL = "set_slot"
"""The function tool every agent gets; arguments `{"name": ..., "value": ...}`."""


def handoff_tool_name(agent: str) -> str:
    """The SDK handoff tool that moves the call to `agent`."""
    return f"transfer_to_{agent}"


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolOutcome:
    """A tool result as the models read it: `{"ok": true, ...}` or `{"ok": false, "error": ...}`."""

    ok: bool
    error: str = ""
    data: dict[str, Any] | None = None

    @classmethod
    def parse(cls, output: Any) -> ToolOutcome:
        if isinstance(output, str):
            try:
                output = json.loads(output)
            except ValueError:
                return cls(ok=True, data={"text": output})
        if isinstance(output, dict):
            return cls(
                ok=bool(output.get("ok", True)), error=str(output.get("error", "")), data=output
            )
        return cls(ok=True, data={"value": output})
