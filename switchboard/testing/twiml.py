"""Twilio's side of TwiML and request signing, for the simulator."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from twilio.request_validator import RequestValidator


def sign(auth_token: str, url: str, params: dict[str, str] | None = None) -> str:
    """The `X-Twilio-Signature` Twilio would send."""
    return RequestValidator(auth_token).compute_signature(url, params or {})


def voice_webhook_params(
    call_sid: str,
    *,
    account_sid: str = "AC" + "0" * 32,
    from_: str = "+15551230000",
    to: str = "+15559870000",
) -> dict[str, str]:
    """The form Twilio posts to the Voice webhook when a call rings."""
    return {
        "CallSid": call_sid,
        "AccountSid": account_sid,
        "From": from_,
        "To": to,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }


@dataclass(frozen=True, kw_only=True, slots=True)
class StreamTarget:
    """What the TwiML told Twilio to do."""

    url: str | None
    action: str | None
    parameters: dict[str, str] = field(default_factory=dict)
    hangup: bool = False
    rejected: str | None = None
    """`<Reject>`: the call is refused unanswered ("busy" or Twilio's default "rejected")."""


def parse_twiml(xml: str) -> StreamTarget:
    root = ET.fromstring(xml)
    connect = root.find("Connect")
    stream = connect.find("Stream") if connect is not None else None
    if connect is None or stream is None:
        reject = root.find("Reject")
        return StreamTarget(
            url=None,
            action=None,
            hangup=root.find("Hangup") is not None,
            rejected=None if reject is None else reject.get("reason", "rejected"),
        )
    params = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
    return StreamTarget(url=stream.get("url"), action=connect.get("action"), parameters=params)


__all__ = ["StreamTarget", "parse_twiml", "sign", "voice_webhook_params"]
