"""Helpers shared by the tool tests (a uniquely named module: tests/tools is no package,
as `tools` is the real package's name)."""

from __future__ import annotations

from typing import Any

import httpx

from backplane import OwnedSession, ToolAttempt

MONDAY_9 = "2026-09-14T09:00"


def book_args(start: str = MONDAY_9, name: str = "Zebediah Quux") -> dict[str, Any]:
    return {"start": start, "name": name, "phone": "+14155552671", "reason": "check-up"}


def set_faults(url: str, *faults: dict[str, Any]) -> None:
    httpx.post(f"{url}/_faults", json={"faults": list(faults)}).raise_for_status()


def bookings(url: str) -> list[dict[str, Any]]:
    return httpx.get(f"{url}/bookings").json()["bookings"]


def requests_seen(url: str, what: str) -> int:
    return int(httpx.get(f"{url}/_stats").json()["requests"].get(what, 0))


async def attempts_of(session: OwnedSession, tool: str | None = None) -> list[ToolAttempt]:
    events = await session.backplane.read_events(session.session_id)
    return [e for e in events if isinstance(e, ToolAttempt) and (tool is None or e.tool == tool)]
