"""`set_slot`: the one way any model (offline or LLM) writes a slot, validated by its type."""

from __future__ import annotations

import json
from typing import Any

from agents import FunctionTool, RunContextWrapper

from backplane import BackplaneError
from switchboard.definitions import AgentSpec
from switchboard.models import SET_SLOT_TOOL
from switchboard.slots import SlotValueError, normalize

from .state import CallState


def _schema(names: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "name": {"type": "string", "enum": names, "description": "Slot name."},
            "value": {
                "type": "string",
                "description": "The caller's answer in their words or normalised "
                "(e.g. 'next Tuesday at 3pm', '312 555 0187', 'yes').",
            },
        },
        "required": ["name", "value"],
        "additionalProperties": False,
    }


async def set_slot(state: CallState, name: str, value: Any) -> dict[str, Any]:
    """Validate and store one slot; returns the outcome the model reads."""
    team = state.team
    if name not in team.slots:
        state.failures += 1
        allowed = ", ".join(sorted(team.slots))
        return {"ok": False, "slot": name, "error": f"unknown slot; allowed: {allowed}"}
    try:
        stored = normalize(team.rules(name), value, state.slot_context())
    except SlotValueError as exc:
        state.failures += 1
        return {"ok": False, "slot": name, "error": exc.message}
    written = await state.session.set_slot(name, stored, agent=state.agent)
    state.slots[name] = written.value
    state.failures = 0
    return {"ok": True, "slot": name, "value": written.value}


def slot_tool(agent: AgentSpec, state: CallState) -> FunctionTool:
    """The `set_slot` tool for one agent: it may set the team's slots, its own listed first."""
    own = [s.name for s in agent.slots]
    names = own + sorted(set(state.team.slots) - set(own))

    async def invoke(ctx: RunContextWrapper[Any], raw: str) -> str:
        try:
            args = json.loads(raw or "{}")
        except ValueError:
            return json.dumps({"ok": False, "error": "arguments must be JSON"})
        try:
            result = await set_slot(state, str(args.get("name", "")), args.get("value", ""))
        except BackplaneError:
            raise  # a stale owner must stop, not carry on as if the slot were saved
        return json.dumps(result)

    described = "; ".join(f"{s.name} ({s.type.value})" for s in agent.slots) or "none"
    return FunctionTool(
        name=SET_SLOT_TOOL,
        description=(
            "Record information the caller gave, as soon as they give it. "
            f"Your slots: {described}. Returns ok, or an error saying what is allowed."
        ),
        params_json_schema=_schema(names),
        on_invoke_tool=invoke,
        strict_json_schema=True,
    )
