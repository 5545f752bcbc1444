"""Models for a rerun: recorded outputs served in order, or a live model on the recorded clock.

Recorded outputs make a call made with a real LLM replay exactly; the clock is set to when each
output was recorded, so slot parsing ("tomorrow at 3") sees the time the call saw.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from agents import Model, ModelResponse, Usage
from agents.items import TResponseStreamEvent
from agents.testing import ModelStep, ScriptedModel
from openai.types.responses import ResponseOutputItem
from pydantic import TypeAdapter, ValidationError

from backplane import Event, ManualClock, ModelOutput

from .errors import RerunMismatch

_ITEM: TypeAdapter[Any] = TypeAdapter(ResponseOutputItem)


class ModelLog:
    """The recorded model outputs of a session, by caller turn, and a cursor into them."""

    def __init__(self, events: list[Event], clock: ManualClock) -> None:
        self.clock = clock
        self.by_turn: dict[int, list[ModelOutput]] = defaultdict(list)
        for e in events:
            if isinstance(e, ModelOutput):
                self.by_turn[e.turn].append(e)
        self.turn = 0
        self.index = 0

    def start_turn(self, turn: int) -> None:
        self.turn = turn
        self.index = 0

    def tick(self) -> ModelOutput | None:
        """Move to the next model call of this turn; set the clock to when it was recorded."""
        outputs = self.by_turn.get(self.turn, [])
        recorded = outputs[self.index] if self.index < len(outputs) else None
        self.index += 1
        if recorded is not None:
            self.clock.set(recorded.at)
        return recorded

    def serve(self, agent: str) -> list[Any]:
        """The next recorded output (typed items) for `agent`; RerunMismatch if there is none."""
        recorded = self.tick()
        if recorded is None:
            raise RerunMismatch(self.turn, f"{agent} called the model more often than the call did")
        if recorded.agent != agent:
            raise RerunMismatch(
                self.turn, f"the model was asked by {agent}, the call asked {recorded.agent}"
            )
        try:
            return [_ITEM.validate_python(item) for item in recorded.items]
        except ValidationError as exc:
            raise RerunMismatch(self.turn, f"recorded model output unreadable: {exc}") from None


class RecordedModel(Model):
    """Serves one agent's recorded outputs."""

    def __init__(self, agent: str, log: ModelLog) -> None:
        self.agent = agent
        self.log = log

    async def get_response(self, *args: Any, **kwargs: Any) -> ModelResponse:
        return ModelResponse(
            output=self.log.serve(self.agent), usage=Usage(requests=1), response_id=None
        )

    async def stream_response(
        self, *args: Any, **kwargs: Any
    ) -> AsyncIterator[TResponseStreamEvent]:
        output = self.log.serve(self.agent)
        # The SDK's scripted model emits the exact Responses stream events for given items.
        scripted = ScriptedModel([ModelStep(output=output, usage=Usage(requests=1))])
        async for event in scripted.stream_response(*args, **kwargs):
            yield event


class ClockedModel(Model):
    """A live model (offline or an LLM) whose calls see the recorded clock."""

    def __init__(self, inner: Model, log: ModelLog) -> None:
        self.inner = inner
        self.log = log

    async def get_response(self, *args: Any, **kwargs: Any) -> ModelResponse:
        self.log.tick()
        return await self.inner.get_response(*args, **kwargs)

    async def stream_response(
        self, *args: Any, **kwargs: Any
    ) -> AsyncIterator[TResponseStreamEvent]:
        self.log.tick()
        async for event in self.inner.stream_response(*args, **kwargs):
            yield event
