"""Run hooks that put every model output in the backplane's event stream."""

from __future__ import annotations

from typing import Any

from agents import Agent, ModelResponse, RunContextWrapper, RunHooks

from backplane import ModelOutput
from switchboard.models import FallbackModel, TeamModels

from .history import _plain
from .state import CallState


class EventHooks(RunHooks[CallState]):
    """Appends a `ModelOutput` event (raw items + usage) after every model call."""

    def __init__(self, models: TeamModels) -> None:
        self._models = models

    async def on_llm_end(
        self,
        context: RunContextWrapper[CallState],
        agent: Agent[CallState],
        response: ModelResponse,
    ) -> None:
        state = context.context
        name = self._models.model_name(agent.name)
        if isinstance(agent.model, FallbackModel) and agent.model.last_source == "fallback":
            name = f"offline (fallback from {name})"
        usage: dict[str, Any] = {
            "requests": response.usage.requests,
            "input_tokens": response.usage.input_tokens,
            "output_tokens": response.usage.output_tokens,
        }
        items = [_plain(item) for item in response.output]
        await state.session.append(
            ModelOutput(agent=agent.name, model=name, items=items, usage=usage)
        )
