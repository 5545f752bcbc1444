"""Appointment tools against the calendar service (`tools.calendar_service`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field

from tools.builtin.http import request_json, require
from tools.errors import ToolRejected
from tools.registry import ToolCall, tool
from tools.settings import ToolSettings

#: Availability changes from one moment to the next: retry it, but never serve it from cache.
_READ = ToolSettings(cache_results=False)


def _base(call: ToolCall) -> str:
    return require(call, call.deps.settings.calendar_url, "SWITCHBOARD_CALENDAR_URL").rstrip("/")


def _day(call: ToolCall, value: str) -> date:
    try:
        return datetime.fromisoformat(value.strip()).date()
    except ValueError:
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise ToolRejected(call.tool, "bad_date") from None


@tool(settings=_READ)
async def find_availability(
    call: ToolCall,
    date: Annotated[str, Field(description="Day to look at, ISO format (2026-09-15)")],
    duration_min: Annotated[int, Field(ge=5, le=480, description="Length in minutes")] = 30,
) -> dict[str, Any]:
    """Free appointment start times on a day."""
    day = _day(call, date)
    params = {"date": day.isoformat(), "duration_min": duration_min}
    return await request_json(call, "GET", f"{_base(call)}/availability", params=params)


@tool
async def book_appointment(
    call: ToolCall,
    start: Annotated[str, Field(description="Start time, ISO format (2026-09-15T09:30)")],
    name: Annotated[str, Field(description="The caller's name")],
    phone: Annotated[str, Field(description="Callback number, E.164")],
    reason: Annotated[str, Field(description="Why the caller wants the appointment")] = "",
    duration_min: Annotated[int, Field(ge=5, le=480, description="Length in minutes")] = 30,
) -> dict[str, Any]:
    """Book an appointment. Fails with reason slot_taken or outside_hours when not possible."""
    body = {
        "start": start,
        "name": name,
        "phone": phone,
        "reason": reason,
        "duration_min": duration_min,
    }
    booking = await request_json(call, "POST", f"{_base(call)}/bookings", json=body)
    return {k: booking[k] for k in ("id", "start", "end", "status")}


@tool
async def cancel_appointment(
    call: ToolCall,
    booking_id: Annotated[int, Field(description="The booking's id")],
) -> dict[str, Any]:
    """Cancel a booked appointment."""
    booking = await request_json(call, "DELETE", f"{_base(call)}/bookings/{booking_id}")
    return {k: booking[k] for k in ("id", "start", "status")}
