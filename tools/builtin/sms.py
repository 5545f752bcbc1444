"""SMS confirmation through the twilio REST client."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from tools.builtin.http import require
from tools.builtin.phone import e164
from tools.registry import ToolCall, tool
from tools.settings import RetryPolicy, ToolSettings

# Twilio's Messages API takes no idempotency key: a retry after a lost response could send a
# second text. Two attempts is the compromise; a success is cached, so a resumed call never
# sends again.
_SMS = ToolSettings(retry=RetryPolicy(max_attempts=2))


@tool(settings=_SMS)
async def send_sms_confirmation(
    call: ToolCall,
    to: Annotated[str, Field(description="The caller's mobile number")],
    body: Annotated[str, Field(description="The text to send", max_length=1600)],
) -> dict[str, Any]:
    """Send the caller a text message (e.g. an appointment confirmation)."""
    twilio = call.deps.settings.twilio
    sender = require(call, twilio.from_number, "TWILIO_FROM_NUMBER")
    require(call, twilio.account_sid, "TWILIO_ACCOUNT_SID")
    message = await call.deps.twilio().messages.create_async(
        to=e164(call, to), from_=sender, body=body
    )
    return {"sid": message.sid, "status": message.status}
