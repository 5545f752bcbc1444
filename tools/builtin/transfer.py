"""Transfer to a human: recorded in the session (escalation, status, event); on a live call the
call is redirected through the twilio REST client."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import Field
from twilio.twiml.voice_response import VoiceResponse

from backplane import Event, register_event
from tools.errors import ToolConfigError
from tools.registry import ToolCall, tool

#: Twilio CallSids: a session with such an ID is a live phone call.
_CALL_SID = re.compile(r"^CA[0-9a-f]{32}$")


@register_event
@dataclass(frozen=True, kw_only=True, slots=True)
class TransferRequested(Event):
    """The agent asked for a human; `call_updated` when the live call was redirected."""

    KIND: ClassVar[str] = "transfer_requested"
    reason: str
    level: int = 2
    target: str = ""
    call_updated: bool = False


@tool
async def transfer_to_human(
    call: ToolCall,
    reason: Annotated[str, Field(description="Why a human should take over", max_length=500)],
    level: Annotated[int, Field(ge=1, le=3, description="1 watch, 2 supervisor, 3 urgent")] = 2,
) -> dict[str, Any]:
    """Hand the caller to a human colleague."""
    session = call.session
    if session is None:
        raise ToolConfigError(call.tool, "an owned session")
    twilio = call.deps.settings.twilio
    live = bool(_CALL_SID.match(call.session_id))
    updated = False
    if live and twilio.human_number and twilio.account_sid:
        response = VoiceResponse()
        response.say("Connecting you to a colleague now.")
        response.dial(twilio.human_number)
        await call.deps.twilio().calls(call.session_id).update_async(twiml=str(response))
        updated = True
    effective = await session.escalate(level, reason)
    await session.set_status("transferring")
    await session.append(
        TransferRequested(
            reason=reason, level=effective, target=twilio.human_number, call_updated=updated
        )
    )
    return {"transferring": True, "level": effective, "call_updated": updated}
