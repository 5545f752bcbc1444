"""Appointment tools against the calendar service (`tools.calendar_service`).

On the phone nobody knows a booking id, so existing bookings are found, cancelled and moved by
the client's phone number (normalised to E.164, as the booking stored it) and the start time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field

from tools.builtin.http import request_json, require
from tools.builtin.phone import e164
from tools.errors import InvalidArguments, ToolRejected
from tools.registry import ToolCall, tool
from tools.settings import ToolSettings

#: Availability changes from one moment to the next: retry it, but never serve it from cache.
_READ = ToolSettings(cache_results=False)

#: What a tool answer shows of a booking (never the idempotency key).
_FIELDS = ("id", "start", "end", "name", "reason", "status")

Phone = Annotated[str, Field(description="The client's phone number, E.164 (+19175550166)")]
Start = Annotated[str, Field(description="Start time, ISO format (2026-09-15T09:30)")]


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


def _shown(booking: dict[str, Any]) -> dict[str, Any]:
    return {k: booking[k] for k in _FIELDS if k in booking}


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
    start: Start,
    name: Annotated[str, Field(description="The caller's name")],
    phone: Phone,
    reason: Annotated[str, Field(description="Why the caller wants the appointment")] = "",
    duration_min: Annotated[int, Field(ge=5, le=480, description="Length in minutes")] = 30,
) -> dict[str, Any]:
    """Book an appointment. Fails with reason slot_taken or outside_hours when not possible."""
    body = {
        "start": start,
        "name": name,
        "phone": e164(call, phone),
        "reason": reason,
        "duration_min": duration_min,
    }
    booking = await request_json(call, "POST", f"{_base(call)}/bookings", json=body)
    return {k: booking[k] for k in ("id", "start", "end", "status")}


@tool(settings=_READ)
async def find_booking(
    call: ToolCall,
    phone: Phone,
    start: Annotated[
        str, Field(description="Only the booking at this time (ISO); '' for all")
    ] = "",
) -> dict[str, Any]:
    """The client's booked (not cancelled) appointments, found by phone number."""
    params = {"phone": e164(call, phone), "status": "booked"}
    if start:
        params["start"] = start
    answer = await request_json(call, "GET", f"{_base(call)}/bookings", params=params)
    return {"bookings": [_shown(b) for b in answer["bookings"]]}


@tool
async def cancel_appointment(
    call: ToolCall,
    phone: Annotated[str, Field(description="The client's phone number, E.164 ('' with id)")] = "",
    start: Annotated[str, Field(description="The appointment's start, ISO ('' with id)")] = "",
    booking_id: Annotated[
        int | None, Field(description="The booking's id, when known (find_booking)")
    ] = None,
) -> dict[str, Any]:
    """Cancel a booked appointment: by booking_id, or by the client's phone and its start.
    Fails with reason not_found when there is no such booking."""
    if booking_id is not None:
        booking = await request_json(call, "DELETE", f"{_base(call)}/bookings/{booking_id}")
    elif phone and start:
        body = {"phone": e164(call, phone), "start": start}
        booking = await request_json(call, "POST", f"{_base(call)}/bookings/cancel", json=body)
    else:
        raise InvalidArguments(call.tool, ["booking_id", "phone", "start"])
    return {k: booking[k] for k in ("id", "start", "status")}


@tool
async def reschedule_appointment(
    call: ToolCall,
    phone: Phone,
    start: Annotated[str, Field(description="The appointment's current start, ISO")],
    new_start: Annotated[str, Field(description="The new start time, ISO")],
) -> dict[str, Any]:
    """Move the client's appointment to a new time in one step (the old time is kept until the
    new one is secured). Fails with reason not_found, slot_taken or outside_hours."""
    body = {"phone": e164(call, phone), "start": start, "new_start": new_start}
    booking = await request_json(call, "POST", f"{_base(call)}/bookings/move", json=body)
    return _shown(booking)
