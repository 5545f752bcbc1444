"""The calendar side of sample dialogues: bookings seeded before the call, and the calendar
service's own records checked after it (over HTTP, as any client would see them)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

import httpx

from switchboard.definitions import ExpectedBooking, SampleBooking

_FMT = "%Y-%m-%dT%H:%M"


def wall_time(moment: datetime, tz: tzinfo) -> str:
    """The calendar's form of a time: the business's wall clock, to the minute."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(tz)
    return moment.strftime(_FMT)


async def seed_bookings(url: str, bookings: list[SampleBooking], tz: tzinfo) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        for b in bookings:
            body = {
                "start": wall_time(b.start, tz),
                "name": b.name,
                "phone": b.phone,
                "reason": b.reason,
                "duration_min": b.duration_min,
            }
            (await client.post("/bookings", json=body)).raise_for_status()


def _matches(expected: ExpectedBooking, record: dict[str, Any], tz: tzinfo) -> bool:
    if record["start"] != wall_time(expected.start, tz) or record["status"] != expected.status:
        return False
    if expected.name is not None and record["name"] != expected.name:
        return False
    if expected.phone is not None and record["phone"] != expected.phone:
        return False
    if expected.reason is not None and expected.reason.lower() not in record["reason"].lower():
        return False
    if expected.duration_min is not None:
        length = datetime.strptime(record["end"], _FMT) - datetime.strptime(record["start"], _FMT)
        return length.total_seconds() == expected.duration_min * 60
    return True


def _show(record: dict[str, Any]) -> str:
    return f"{record['start']} {record['status']} {record['name']!r} {record['phone']}"


async def check_bookings(url: str, expected: list[ExpectedBooking], tz: tzinfo) -> list[str]:
    """Failures: expected bookings the calendar lacks, and bookings nobody expected."""
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        response = await client.get("/bookings")
        response.raise_for_status()
    left: list[dict[str, Any]] = response.json()["bookings"]
    held = "; ".join(map(_show, left)) or "nothing"
    failures = []
    for want in expected:
        found = next((r for r in left if _matches(want, r, tz)), None)
        if found is None:
            shown = want.model_dump(exclude_none=True, mode="json")
            failures.append(f"calendar lacks booking {shown}; it holds: {held}")
        else:
            left.remove(found)
    failures += [f"calendar holds an unexpected booking: {_show(r)}" for r in left]
    return failures
