"""SDK `Agent`s and `handoff()`s for one call, built from a team's definitions."""

from __future__ import annotations

from collections.abc import Callable

from agents import Agent, Model, RunContextWrapper, handoff
from pydantic import BaseModel, Field

from switchboard.definitions import Team
from switchboard.models import handoff_tool_name

from .instructions import instructions_for
from .slot_tool import slot_tool
from .state import CallState
from .toolbox import ToolRunner, named_tool


class HandoffReason(BaseModel):
    """Arguments of every handoff tool: why the call moves (recorded with the handoff)."""

    reason: str = Field(description="One line: why the caller needs the other specialist.")


def _on_handoff(to_agent: str):  # type: ignore[no-untyped-def]
    async def record(ctx: RunContextWrapper[CallState], data: HandoffReason) -> None:
        state = ctx.context
        # One fenced script: agent change + Handoff event + slot snapshot. A stale owner
        # fails here, before the next specialist says a word.
        await state.session.handoff(to_agent, reason=data.reason, from_agent=state.agent)
        state.agent = to_agent

    return record


def _describe(team: Team, to_agent: str, when: str) -> str:
    return f"Transfer the call to {to_agent}: {when or team.agents[to_agent].description}".strip()


def build_agents(
    team: Team, state: CallState, model_for: Callable[[str], Model], runner: ToolRunner
) -> dict[str, Agent[CallState]]:
    """One SDK agent per definition (model from `model_for(name)`), with set_slot, its named
    tools and its handoffs."""
    built: dict[str, Agent[CallState]] = {}
    for name, spec in team.agents.items():
        built[name] = Agent[CallState](
            name=name,
            handoff_description=spec.description,
            instructions=instructions_for(spec),
            model=model_for(name),
            tools=[slot_tool(spec, state), *(named_tool(t, runner, state) for t in spec.tools)],
        )
    for name, spec in team.agents.items():
        built[name].handoffs = [
            handoff(
                built[rule.to],
                tool_name_override=handoff_tool_name(rule.to),
                tool_description_override=_describe(team, rule.to, rule.description),
                on_handoff=_on_handoff(rule.to),
                input_type=HandoffReason,
            )
            for rule in spec.handoffs
        ]
    return built
