"""System instructions, rendered every model call from the backplane's slots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents import Agent, RunContextWrapper

from switchboard.definitions import AgentSpec, Team, render, spoken

from .state import CallState


def render_instructions(team: Team, spec: AgentSpec, slots: dict[str, Any]) -> str:
    """The agent's instructions plus a call-state block: what is known, what is still needed."""
    extra = {"team": team.spec.display_name, "agent": spec.name}
    body = render(spec.instructions, slots, team.kinds, extra).strip()
    known = [
        f"- {name}: {spoken(value, team.kinds.get(name))}"
        for name, value in sorted(slots.items())
        if value is not None
    ]
    needed = [
        f'- {s.name} ({s.type.value}): ask "{render(s.prompt or "", slots, team.kinds, extra)}"'
        for s in spec.slots
        if s.required and slots.get(s.name) is None
    ]
    lines = [
        body,
        "",
        "## Call state (kept by the switchboard)",
        "Known — never ask for these again:",
        *(known or ["- nothing yet"]),
        "Still needed from the caller, one question at a time:",
        *(needed or ["- nothing; help with anything else"]),
        "Record each answer with set_slot as soon as you hear it. Speak in one or two short "
        "sentences: the caller is on the phone.",
        "When the caller says they need nothing else, reply with exactly: "
        f'"{team.farewell_line(slots, spec.name)}" (the call then ends).',
    ]
    return "\n".join(lines)


def instructions_for(
    spec: AgentSpec,
) -> Callable[[RunContextWrapper[CallState], Agent[CallState]], str]:
    """An SDK dynamic-instructions callable for `spec` (rendered on every model call)."""

    def build(ctx: RunContextWrapper[CallState], agent: Agent[CallState]) -> str:
        state = ctx.context
        return render_instructions(state.team, spec, state.slots)

    return build
