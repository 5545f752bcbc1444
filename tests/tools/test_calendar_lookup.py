"""Finding, cancelling and moving bookings by phone and start time (callers know no ids),
through the runtime against the real calendar service and its SQLite records."""

from __future__ import annotations

from toolkit_helpers import MONDAY_9, book_args, bookings, requests_seen, set_faults

from tools import FailureKind, RetryPolicy, ToolRuntime, ToolScope, ToolSettings
from tools.calendar_service import CalendarServer

SPOKEN_PHONE = "(415) 555-2671"  # book_args() books with +14155552671


async def test_find_booking_by_phone_in_any_format(runtime: ToolRuntime, scope: ToolScope) -> None:
    await runtime.invoke(scope, "book_appointment", book_args())
    await runtime.invoke(
        scope, "book_appointment", {**book_args("2026-09-14T11:00"), "phone": "+12125550100"}
    )
    found = await runtime.invoke(scope, "find_booking", {"phone": SPOKEN_PHONE})
    assert [b["start"] for b in found.value["bookings"]] == [MONDAY_9]
    at = await runtime.invoke(
        scope, "find_booking", {"phone": SPOKEN_PHONE, "start": "2026-09-14T10:00"}
    )
    assert at.value["bookings"] == []


async def test_cancel_by_phone_and_start(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer
) -> None:
    await runtime.invoke(scope, "book_appointment", book_args())
    # The start as the orchestrator renders a datetime slot: ISO with the team's UTC offset.
    args = {"phone": SPOKEN_PHONE, "start": "2026-09-14T09:00-04:00"}
    result = await runtime.invoke(scope, "cancel_appointment", args)
    assert result.ok and result.value["status"] == "cancelled"
    [record] = bookings(calendar.url)
    assert (record["start"], record["status"]) == (MONDAY_9, "cancelled")
    wrong = await runtime.invoke(
        scope, "cancel_appointment", {"phone": SPOKEN_PHONE, "start": "2026-09-15T09:00"}
    )
    assert wrong.failure is not None and wrong.failure.reason == "not_found"
    neither = await runtime.invoke(scope, "cancel_appointment", {})
    assert neither.failure is not None and neither.failure.kind is FailureKind.INVALID_ARGUMENTS


async def test_reschedule_moves_the_booking_in_one_step(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer
) -> None:
    booked = await runtime.invoke(scope, "book_appointment", {**book_args(), "duration_min": 60})
    other = {**book_args("2026-09-15T10:00", name="Other Client"), "phone": "+12125550100"}
    await runtime.invoke(scope, "book_appointment", other)
    move = {"phone": SPOKEN_PHONE, "start": MONDAY_9}
    taken = await runtime.invoke(
        scope, "reschedule_appointment", {**move, "new_start": "2026-09-15T09:30"}
    )
    assert taken.failure is not None and taken.failure.reason == "slot_taken"
    closed = await runtime.invoke(
        scope, "reschedule_appointment", {**move, "new_start": "2026-09-19T09:00"}
    )
    assert closed.failure is not None and closed.failure.reason == "outside_hours"
    moved = await runtime.invoke(
        scope, "reschedule_appointment", {**move, "new_start": "2026-09-16T14:00"}
    )
    assert moved.ok and moved.value["id"] == booked.value["id"]
    mine = next(b for b in bookings(calendar.url) if b["id"] == booked.value["id"])
    assert (mine["start"], mine["end"], mine["status"]) == (
        "2026-09-16T14:00",
        "2026-09-16T15:00",
        "booked",
    )
    gone = await runtime.invoke(
        scope, "reschedule_appointment", {**move, "new_start": "2026-09-17T14:00"}
    )
    assert gone.failure is not None and gone.failure.reason == "not_found"


async def test_a_move_whose_response_was_lost_is_not_reported_as_missing(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer
) -> None:
    await runtime.invoke(scope, "book_appointment", book_args())
    runtime.overrides["reschedule_appointment"] = ToolSettings(
        retry=RetryPolicy(deadline_s=3.0, attempt_timeout_s=0.4, initial_backoff_s=0.01)
    )
    set_faults(
        calendar.url, {"kind": "lose_response", "seconds": 2, "match": "POST /bookings/move"}
    )
    args = {"phone": SPOKEN_PHONE, "start": MONDAY_9, "new_start": "2026-09-16T14:00"}
    result = await runtime.invoke(scope, "reschedule_appointment", args)
    assert result.ok and result.attempts == 2 and result.value["start"] == "2026-09-16T14:00"
    assert requests_seen(calendar.url, "POST /bookings/move") == 2
    assert [(b["start"], b["status"]) for b in bookings(calendar.url)] == [
        ("2026-09-16T14:00", "booked")
    ]
