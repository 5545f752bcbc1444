"""What built-in tools need from outside: service URLs, credentials, shared HTTP clients."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from twilio.rest import Client


@dataclass(frozen=True, kw_only=True, slots=True)
class TwilioSettings:
    """Twilio REST credentials. `api_base` points the client elsewhere (tests: a local server
    that records what Twilio would have received)."""

    account_sid: str = ""
    auth_token: str = ""
    #: The number SMS confirmations come from (E.164).
    from_number: str = ""
    #: Replaces `https://api.twilio.com` etc.; empty for the real cloud.
    api_base: str = ""
    #: Where `transfer_to_human` dials on a live call (E.164 or a SIP URI).
    human_number: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class BuiltinSettings:
    """Configuration of the built-in tools, usually from the environment."""

    #: Base URL of the calendar service (`tools.calendar_service`).
    calendar_url: str = ""
    #: CRM writeback endpoint (HTTP POST, JSON body).
    crm_url: str = ""
    #: Extra headers for the CRM (e.g. an API key).
    crm_headers: dict[str, str] = field(default_factory=dict)
    twilio: TwilioSettings = TwilioSettings()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> BuiltinSettings:
        e = os.environ if env is None else env
        token = e.get("SWITCHBOARD_CRM_TOKEN", "")
        return cls(
            calendar_url=e.get("SWITCHBOARD_CALENDAR_URL", ""),
            crm_url=e.get("SWITCHBOARD_CRM_URL", ""),
            crm_headers={"Authorization": f"Bearer {token}"} if token else {},
            twilio=TwilioSettings(
                account_sid=e.get("TWILIO_ACCOUNT_SID", ""),
                auth_token=e.get("TWILIO_AUTH_TOKEN", ""),
                from_number=e.get("TWILIO_FROM_NUMBER", ""),
                api_base=e.get("TWILIO_API_BASE", ""),
                human_number=e.get("SWITCHBOARD_HUMAN_NUMBER", ""),
            ),
        )


class ToolDeps:
    """Shared clients for tools, created once per worker and closed with it."""

    def __init__(self, settings: BuiltinSettings | None = None) -> None:
        self.settings = settings or BuiltinSettings.from_env()
        # Timeouts are per attempt (from the runtime's deadline), so none here.
        self.http = httpx.AsyncClient(timeout=None, follow_redirects=False)
        self._twilio: Client | None = None
        self.extra: dict[str, Any] = {}

    def twilio(self) -> Client:
        """The twilio REST client (async transport, honouring `api_base`)."""
        if self._twilio is None:
            from twilio.rest import Client

            from tools.twilio_http import HttpxTwilioClient

            t = self.settings.twilio
            self._twilio = Client(
                t.account_sid,
                t.auth_token,
                http_client=HttpxTwilioClient(self.http, api_base=t.api_base),
            )
        return self._twilio

    async def aclose(self) -> None:
        await self.http.aclose()


class _RedactUrls(logging.Filter):
    """httpx logs each request's URL; ours carry argument values (query, ids in the path).
    Keep the line, drop everything after the host."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                f"{a.scheme}://{a.netloc.decode()}/…" if isinstance(a, httpx.URL) else a
                for a in record.args
            )
        return True


def _install_redaction() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactUrls) for f in logger.filters):
        logger.addFilter(_RedactUrls())


_install_redaction()
