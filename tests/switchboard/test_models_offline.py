"""The offline model implements the SDK Model interface, both plain and streamed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agents import Agent, ModelSettings, ModelTracing, handoff
from agents.items import ModelResponse

from switchboard.definitions import load_team
from switchboard.models import OfflineModel, handoff_tool_name

CLINIC = load_team(Path(__file__).resolve().parents[2] / "agents" / "healthcare")


class _Named:
    def __init__(self, name: str) -> None:
        self.name = name


def _call_args(model: OfflineModel, items: list[dict[str, Any]], handoffs: list[Any]) -> dict:
    return {
        "system_instructions": "x",
        "input": items,
        "model_settings": ModelSettings(),
        "tools": [_Named("set_slot")],
        "output_schema": None,
        "handoffs": handoffs,
        "tracing": ModelTracing.DISABLED,
        "previous_response_id": None,
        "conversation_id": None,
        "prompt": None,
    }


def _greeting() -> dict[str, Any]:
    text = CLINIC.agents["reception"].greeting or ""
    return {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text}],
    }


async def test_get_response_sets_slots_then_hands_off_then_speaks() -> None:
    slots: dict[str, Any] = {}
    model = OfflineModel(CLINIC, "reception", lambda: slots)
    to_scheduling = handoff(
        Agent(name="scheduling"), tool_name_override=handoff_tool_name("scheduling")
    )
    user = {"role": "user", "content": "Hi, this is Dana Whitfield. I'd like to book a checkup."}
    first = await model.get_response(**_call_args(model, [_greeting(), user], [to_scheduling]))
    assert isinstance(first, ModelResponse) and first.usage.requests == 1
    (call,) = first.output
    assert call.name == "set_slot"
    assert json.loads(call.arguments) == {"name": "patient_name", "value": "Dana Whitfield"}
    # The tool ran; the model now asks for the date of birth (handoff needs it first).
    slots["patient_name"] = "Dana Whitfield"
    done = {"type": "function_call_output", "call_id": call.call_id, "output": '{"ok": true}'}
    items = [_greeting(), user, call.model_dump(), done]
    second = await model.get_response(**_call_args(model, items, [to_scheduling]))
    assert "date of birth" in second.output[0].content[0].text
    # With the date of birth known, the handoff rule fires.
    slots["date_of_birth"] = "1985-03-03"
    third = await model.get_response(**_call_args(model, items, [to_scheduling]))
    assert third.output[0].name == "transfer_to_scheduling"


async def test_stream_response_yields_the_same_items_as_events() -> None:
    model = OfflineModel(CLINIC, "reception", dict)
    user = {"role": "user", "content": "Hello?"}
    plain = await model.get_response(**_call_args(model, [_greeting(), user], []))
    events = [e async for e in model.stream_response(**_call_args(model, [_greeting(), user], []))]
    kinds = [e.type for e in events]
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert deltas == plain.output[0].content[0].text
    assert "full name" in deltas
