"""Every attempt is on the session's stream with its outcome; logs never carry values."""

from __future__ import annotations

import logging

import pytest
from toolkit_helpers import attempts_of, book_args, set_faults

from tools import RetryPolicy, ToolRuntime, ToolScope, ToolSettings
from tools.calendar_service import CalendarServer
from tools.testing import RecordingServer

SECRET_NAME = "Zebediah Quux"
SECRET_PHONE = "+14155552671"


async def test_stream_holds_every_attempt_with_its_outcome(
    runtime: ToolRuntime, scope: ToolScope, calendar: CalendarServer
) -> None:
    set_faults(calendar.url, {"kind": "status", "status": 502})
    result = await runtime.invoke(scope, "book_appointment", book_args())
    attempts = await attempts_of(scope.session)
    assert [(a.attempt, a.outcome, a.error_class) for a in attempts] == [
        (1, "retry", "ToolUnavailable"),
        (2, "ok", None),
    ]
    for a in attempts:
        assert a.tool == "book_appointment"
        assert a.arguments == {**book_args(), "duration_min": 30}
        assert a.idempotency_key == result.idempotency_key
        assert a.breaker_state == "closed"
        assert a.turn == 1 and a.latency_ms >= 0
    # A failed attempt records the typed failure (replay rebuilds it from there).
    assert attempts[0].result["failure"] == "unavailable"
    assert attempts[1].result == result.value


async def test_log_lines_carry_no_argument_or_result_values(
    runtime: ToolRuntime,
    scope: ToolScope,
    calendar: CalendarServer,
    recorder: RecordingServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    runtime.overrides["book_appointment"] = ToolSettings(
        retry=RetryPolicy(deadline_s=2.0, attempt_timeout_s=0.3)
    )
    set_faults(
        calendar.url,
        {"kind": "status", "status": 500},
        {"kind": "hang", "seconds": 5},
        {"kind": "status", "status": 409},
    )
    args = book_args(name=SECRET_NAME)
    await runtime.invoke(scope, "book_appointment", args)
    await runtime.invoke(scope, "find_availability", {"date": "2026-09-17"})
    await runtime.invoke(scope, "cancel_appointment", {"booking_id": 987654})
    await runtime.invoke(scope, "book_appointment", {**args, "start": "2026-09-17T11:30"})
    await runtime.invoke(
        scope, "send_sms_confirmation", {"to": SECRET_PHONE, "body": "See you Thursday 11:30"}
    )
    await runtime.invoke(scope, "crm_writeback", {"name": SECRET_NAME, "phone": SECRET_PHONE})
    await runtime.invoke(scope, "book_appointment", {"start": SECRET_NAME})  # invalid

    lines = [r.getMessage() for r in caplog.records]
    assert any("tool=book_appointment" in line and "outcome=retry" in line for line in lines)
    assert any("tool=send_sms_confirmation" in line and "outcome=ok" in line for line in lines)
    values = [SECRET_NAME, SECRET_PHONE, "4155552671", "2026-09-17", "11:30", "987654", "Thursday"]
    leaked = [(v, line) for line in lines for v in values if v in line]
    assert leaked == []
    # ...while the stream keeps them (replay needs them).
    attempts = await attempts_of(scope.session)
    assert any(a.arguments.get("name") == SECRET_NAME for a in attempts)
