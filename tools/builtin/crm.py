"""CRM writeback: one JSON POST per call outcome to a configured URL."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from tools.builtin.http import request_json, require
from tools.registry import ToolCall, tool


@tool
async def crm_writeback(
    call: ToolCall,
    name: Annotated[str, Field(description="The caller's name")],
    phone: Annotated[str, Field(description="Callback number, E.164")],
    reason: Annotated[str, Field(description="Why the caller called")] = "",
    outcome: Annotated[str, Field(description="What was agreed or done")] = "",
    notes: Annotated[str, Field(description="Anything else worth keeping")] = "",
) -> dict[str, Any]:
    """Write the caller's details and the call's outcome to the CRM."""
    settings = call.deps.settings
    url = require(call, settings.crm_url, "SWITCHBOARD_CRM_URL")
    body = {
        "session_id": call.session_id,
        "turn": call.turn,
        "agent": call.agent,
        "name": name,
        "phone": phone,
        "reason": reason,
        "outcome": outcome,
        "notes": notes,
    }
    answer = await request_json(call, "POST", url, json=body, headers=settings.crm_headers)
    record_id = answer.get("id") if isinstance(answer, dict) else None
    return {"stored": True, "id": record_id}
