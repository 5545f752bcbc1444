"""Built-in tools against real local services: calendar, CRM, Twilio REST stand-in."""

from __future__ import annotations

import json

from toolkit_helpers import MONDAY_9, attempts_of, book_args

from backplane import Backplane, SessionStatus
from tools import FailureKind, ToolRuntime, ToolScope, known_tools
from tools.builtin import TransferRequested
from tools.testing import RecordingServer


def test_known_tools_lists_the_builtins() -> None:
    assert {
        "book_appointment",
        "cancel_appointment",
        "crm_writeback",
        "find_availability",
        "send_sms_confirmation",
        "transfer_to_human",
    } <= known_tools()


async def test_availability_book_cancel(runtime: ToolRuntime, scope: ToolScope) -> None:
    free = await runtime.invoke(scope, "find_availability", {"date": "2026-09-14"})
    assert free.ok and MONDAY_9 in free.value["slots"]
    booked = await runtime.invoke(scope, "book_appointment", book_args())
    after = await runtime.invoke(scope, "find_availability", {"date": "2026-09-14"})
    assert MONDAY_9 not in after.value["slots"]  # not cached: availability is read fresh
    cancelled = await runtime.invoke(
        scope, "cancel_appointment", {"booking_id": booked.value["id"]}
    )
    assert cancelled.value["status"] == "cancelled"
    missing = await runtime.invoke(scope, "cancel_appointment", {"booking_id": 999})
    assert missing.failure is not None and missing.failure.reason == "not_found"


async def test_sms_goes_through_the_twilio_client(
    runtime: ToolRuntime, scope: ToolScope, recorder: RecordingServer
) -> None:
    result = await runtime.invoke(
        scope, "send_sms_confirmation", {"to": "(415) 555-2671", "body": "Booked: Mon 9:00"}
    )
    assert result.ok and result.value["sid"].startswith("SM")
    [sent] = recorder.requests
    assert sent.path == f"/2010-04-01/Accounts/AC{'0' * 32}/Messages.json"
    assert sent.form == {"To": "+14155552671", "From": "+14155550100", "Body": "Booked: Mon 9:00"}
    assert sent.headers["authorization"].startswith("Basic ")
    bad = await runtime.invoke(scope, "send_sms_confirmation", {"to": "12", "body": "x"})
    assert bad.failure is not None and bad.failure.reason == "bad_number"


async def test_crm_writeback_posts_json_with_the_idempotency_key(
    runtime: ToolRuntime, scope: ToolScope, recorder: RecordingServer
) -> None:
    args = {"name": "Ada", "phone": "+14155552671", "reason": "billing", "outcome": "callback"}
    result = await runtime.invoke(scope, "crm_writeback", args)
    assert result.value == {"stored": True, "id": "crm-1"}
    [posted] = recorder.requests
    assert posted.json == {
        **args,
        "notes": "",
        "session_id": scope.session.session_id,
        "turn": 1,
        "agent": "booking",
    }
    assert posted.headers["idempotency-key"] == result.idempotency_key


async def test_transfer_records_escalation_and_status(
    runtime: ToolRuntime, scope: ToolScope, recorder: RecordingServer
) -> None:
    result = await runtime.invoke(scope, "transfer_to_human", {"reason": "caller asked"})
    assert result.value == {"transferring": True, "level": 2, "call_updated": False}
    snap = await scope.session.snapshot()
    assert snap.escalation.level == 2 and "caller asked" in snap.escalation.reasons
    assert snap.status == SessionStatus.TRANSFERRING
    events = await scope.session.backplane.read_events(scope.session.session_id)
    assert any(isinstance(e, TransferRequested) for e in events)
    assert recorder.requests == []  # a chat session: no live call to redirect


async def test_transfer_on_a_live_call_redirects_it(
    runtime: ToolRuntime, backplane: Backplane, recorder: RecordingServer
) -> None:
    call_sid = "CA" + "ab" * 16
    await backplane.create_session(call_sid, agent="triage", channel="voice")
    async with backplane.own(call_sid, owner="worker-1") as session:
        await session.begin_caller_turn("let me talk to a person", agent="triage")
        scope = ToolScope(session=session, turn=1, agent="triage")
        result = await runtime.invoke(scope, "transfer_to_human", {"reason": "asked", "level": 3})
    assert result.value["call_updated"] is True
    [update] = recorder.requests
    assert update.path.endswith(f"/Calls/{call_sid}.json")
    assert "<Dial>+14155550199</Dial>" in update.form["Twiml"]


async def test_missing_configuration_is_a_typed_failure(redis_client, scope: ToolScope) -> None:
    from tools import BuiltinSettings, ToolDeps

    runtime = ToolRuntime(redis_client, deps=ToolDeps(BuiltinSettings()))
    try:
        result = await runtime.invoke(scope, "find_availability", {"date": "2026-09-14"})
    finally:
        await runtime.aclose()
    assert result.failure is not None and result.failure.kind is FailureKind.ERROR
    assert result.failure.error_class == "ToolConfigError"
    assert json.loads(result.for_model())["actions"] == ["apologise", "escalate"]
    assert (await attempts_of(scope.session))[-1].outcome == "failed"
