"""An async transport for the twilio REST client, on our httpx client.

It lets tests and the demo point the client at a local server (`api_base`) and, unlike the
stock transports, it logs nothing about request bodies (phone numbers, message text).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

import httpx
from twilio.http import AsyncHttpClient
from twilio.http.response import Response

log = logging.getLogger(__name__)


class HttpxTwilioClient(AsyncHttpClient):
    def __init__(self, http: httpx.AsyncClient, *, api_base: str = "") -> None:
        super().__init__(logger=log, is_async=True, timeout=None)
        self.http = http
        self.api_base = api_base.rstrip("/")

    def _rewrite(self, url: str) -> str:
        if not self.api_base:
            return url
        base = urlsplit(self.api_base)
        parts = urlsplit(url)
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))

    async def request(  # type: ignore[override]
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (twilio's transport signature)
        allow_redirects: bool = False,
    ) -> Response:
        response = await self.http.request(
            method.upper(),
            self._rewrite(uri),
            params=params,  # type: ignore[arg-type]
            data=data,  # type: ignore[arg-type]
            headers=headers,
            auth=auth,
            timeout=timeout,
            follow_redirects=allow_redirects,
        )
        return Response(response.status_code, response.text, dict(response.headers))
