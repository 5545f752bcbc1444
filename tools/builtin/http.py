"""HTTP helpers for built-in tools: typed errors from statuses, the attempt's time budget."""

from __future__ import annotations

from typing import Any

from tools.errors import ToolConfigError, ToolRejected
from tools.registry import ToolCall
from tools.retry import from_status


def require(call: ToolCall, value: str, setting: str) -> str:
    if not value:
        raise ToolConfigError(call.tool, setting)
    return value


async def request_json(
    call: ToolCall,
    method: str,
    url: str,
    *,
    json: Any = None,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """One HTTP request within the attempt's budget, carrying the idempotency key.

    Non-2xx answers become typed errors (5xx/408 unavailable, 429 RetryAfter, other 4xx a
    rejection with the service's `error` code as reason).
    """
    all_headers = {"Idempotency-Key": call.idempotency_key, **(headers or {})}
    response = await call.deps.http.request(
        method, url, json=json, params=params, headers=all_headers, timeout=call.remaining()
    )
    error = from_status(call.tool, response.status_code, response.headers.get("retry-after"))
    if error is None:
        return response.json()
    if isinstance(error, ToolRejected):
        try:
            code = response.json().get("error")
        except ValueError:
            code = None
        if isinstance(code, str) and code:
            raise ToolRejected(call.tool, code, status=response.status_code)
    raise error
