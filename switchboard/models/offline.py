"""The offline deterministic model: the SDK `Model` interface driven by the definitions.

It is the default with no API key, the fallback when an LLM fails, and the model every
sample dialogue test runs against. It reads the conversation (input items) and the call's
current slots, and answers with `set_slot` calls, a handoff, a tool call or a reply.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from agents import Handoff, Model, ModelResponse, ModelSettings, ModelTracing, Tool, Usage
from agents.agent_output import AgentOutputSchemaBase
from agents.items import TResponseInputItem, TResponseOutputItem, TResponseStreamEvent
from agents.testing import ModelStep, ScriptedModel, assistant_message, function_call
from openai.types.responses.response_prompt_param import ResponsePromptParam

from switchboard.definitions import Team

from .policy import Decision, Policy
from .transcript import parse

OFFLINE_MODEL_NAME = "offline"

SlotSource = Callable[[], Mapping[str, Any]]
"""Returns the call's current slot values (name -> stored value)."""


class OfflineModel(Model):
    """A deterministic model for one agent of a team."""

    def __init__(self, team: Team, agent: str, slots: SlotSource) -> None:
        self.team = team
        self.agent = agent
        self._policy = Policy(team, team.agents[agent])
        self._slots = slots
        self._ids = itertools.count(1)

    def decide(
        self, input: str | list[TResponseInputItem], tool_names: set[str]
    ) -> list[TResponseOutputItem]:
        """The output items for one model call (public so tests and replay can inspect it)."""
        transcript = parse(input)
        decision: Decision = self._policy.decide(transcript, self._slots(), tool_names)
        turn = len(transcript.exchanges)
        if decision.calls:
            return [
                function_call(call.name, call.arguments, call_id=self._call_id(turn, call.name))
                for call in decision.calls
            ]
        return [assistant_message(decision.text, item_id=f"msg_{self.agent}_{turn}")]

    def _call_id(self, turn: int, name: str) -> str:
        # Unique per run and readable in the event log; the counter keeps ids distinct when
        # the same tool is called twice in one turn.
        return f"call_{self.agent}_{turn}_{next(self._ids)}_{name}"

    @staticmethod
    def _tool_names(tools: list[Tool], handoffs: list[Handoff]) -> set[str]:
        names = {getattr(tool, "name", "") for tool in tools}
        return names | {h.tool_name for h in handoffs}

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> ModelResponse:
        output = self.decide(input, self._tool_names(tools, handoffs))
        return ModelResponse(output=output, usage=Usage(requests=1), response_id=None)

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> AsyncIterator[TResponseStreamEvent]:
        output = self.decide(input, self._tool_names(tools, handoffs))
        # The SDK's scripted model turns output items into the exact Responses stream events
        # (created, item added, text delta, done, completed) the runner expects.
        scripted = ScriptedModel([ModelStep(output=output, usage=Usage(requests=1))])
        async for event in scripted.stream_response(
            system_instructions,
            input,
            model_settings,
            tools,
            output_schema,
            handoffs,
            tracing,
            previous_response_id=previous_response_id,
            conversation_id=conversation_id,
            prompt=prompt,
        ):
            yield event
