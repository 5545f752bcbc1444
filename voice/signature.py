"""`X-Twilio-Signature` checks for webhooks and the Media Stream upgrade.

The signature covers the URL Twilio requested, so behind a proxy we rebuild it from the
configured public base URL rather than trusting the Host header; the twilio package's
`RequestValidator` does the HMAC.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from twilio.request_validator import RequestValidator

from voice.config import VoiceSettings
from voice.errors import SignatureError

HEADER = "X-Twilio-Signature"


class SignatureChecker:
    """Validates signatures and builds the public URLs Twilio uses."""

    def __init__(self, settings: VoiceSettings) -> None:
        self._settings = settings
        token = settings.auth_token
        self._validator = RequestValidator(token) if token else None

    def public_url(
        self, path: str, query: str = "", *, websocket: bool = False, seen: str = ""
    ) -> str:
        """The URL Twilio requested for `path` (http(s) or ws(s) scheme)."""
        base = self._settings.public_base_url or seen
        parts = urlsplit(base)
        scheme = parts.scheme
        if websocket:
            scheme = {"https": "wss", "http": "ws"}.get(scheme, scheme)
        else:
            scheme = {"wss": "https", "ws": "http"}.get(scheme, scheme)
        prefix = parts.path.rstrip("/")
        url = f"{scheme}://{parts.netloc}{prefix}{path}"
        return f"{url}?{query}" if query else url

    def check(self, url: str, params: Mapping[str, str], signature: str | None) -> None:
        """Raise SignatureError unless `signature` is Twilio's for `url` and `params`."""
        if not self._settings.validate_signatures:
            return
        if self._validator is None:
            raise SignatureError(url, "no TWILIO_AUTH_TOKEN configured")
        if not signature:
            raise SignatureError(url, f"missing {HEADER}")
        if not self._validator.validate(url, dict(params), signature):
            raise SignatureError(url, "signature does not match")


__all__ = ["HEADER", "SignatureChecker"]
