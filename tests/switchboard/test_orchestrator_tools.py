"""Named tools run through the real tool runtime by default: retries against a flaky calendar
book once (the service's records prove it), and models see the registered tools' schemas."""

from __future__ import annotations

from pathlib import Path

import httpx
from agents import FunctionTool

from backplane import Backplane, ToolAttempt
from switchboard.definitions import load_team
from switchboard.local_services import OPEN_EVERY_DAY, LocalServices, LocalServicesSettings
from switchboard.orchestrator import Orchestrator, OrchestratorSettings, run_sample
from tools import REGISTRY, BuiltinSettings
from tools.calendar_service import CalendarServer, CalendarSettings

SALON = load_team(Path(__file__).resolve().parents[2] / "agents" / "salon")


async def test_a_flaky_calendar_is_retried_and_books_once(
    backplane: Backplane, tmp_path: Path
) -> None:
    flaky = CalendarSettings(faults=True, hours=OPEN_EVERY_DAY)
    with (
        CalendarServer(flaky) as calendar,
        LocalServices(
            BuiltinSettings(calendar_url=calendar.url), LocalServicesSettings(data_dir=tmp_path)
        ) as local,
    ):
        faults = [{"kind": "status", "status": 503, "match": "POST /bookings"}]
        async with httpx.AsyncClient(base_url=calendar.url) as client:
            (await client.post("/_faults", json={"faults": faults})).raise_for_status()
        settings = OrchestratorSettings(services=local.settings)
        run = await run_sample(SALON, SALON.samples()[0], backplane, settings)
        assert run.ok, "\n".join([*run.failures, run.transcript()])
        async with httpx.AsyncClient(base_url=calendar.url) as client:
            held = (await client.get("/bookings")).json()["bookings"]
        texts = [r.form.get("Body", "") for r in local.recorded()]
    events = await backplane.read_events(run.session_id)
    booking = [e for e in events if isinstance(e, ToolAttempt) and e.tool == "book_appointment"]
    assert [(e.outcome, e.attempt) for e in booking] == [("retry", 1), ("ok", 2)]
    assert booking[0].idempotency_key == booking[1].idempotency_key
    assert booking[1].arguments["start"] == "2025-03-07T14:00-05:00"  # the raw slot value
    assert booking[1].arguments["phone"] == "+19175550166"
    assert [(b["start"], b["name"]) for b in held] == [("2025-03-07T14:00", "Olivia Grant")]
    assert texts == [
        "Bloom & Blade: women's haircut on Friday, March 7 at 2:00 PM. Reply C to cancel."
    ]


async def test_models_see_the_registered_tool_schemas(
    backplane: Backplane, orchestration: OrchestratorSettings
) -> None:
    await backplane.create_session("schemas", agent="booking")
    async with (
        backplane.own("schemas", owner="w1") as owned,
        Orchestrator(SALON, orchestration) as orchestrator,
    ):
        conversation = await orchestrator(owned, resumed=False)
    tools = {t.name: t for t in conversation.agents["booking"].tools if isinstance(t, FunctionTool)}
    assert set(tools) == {
        "set_slot",
        "find_availability",
        "book_appointment",
        "send_sms_confirmation",
    }
    booking = tools["book_appointment"]
    assert booking.params_json_schema == REGISTRY.get("book_appointment").json_schema
    assert booking.description == REGISTRY.get("book_appointment").description
