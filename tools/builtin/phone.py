"""Phone numbers in tool arguments: normalised to E.164 before they reach a service."""

from __future__ import annotations

import phonenumbers

from tools.errors import ToolRejected
from tools.registry import ToolCall


def e164(call: ToolCall, number: str, region: str = "US") -> str:
    """`number` as E.164 ("+19175550166"); ToolRejected("bad_number") if it is not one."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        raise ToolRejected(call.tool, "bad_number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ToolRejected(call.tool, "bad_number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
