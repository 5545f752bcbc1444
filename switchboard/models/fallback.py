"""Wrap an LLM so that when it fails the offline model answers instead of the call dying."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from agents import Model, ModelResponse
from agents.items import TResponseStreamEvent

log = logging.getLogger(__name__)

FallbackHook = Callable[[str, BaseException], None]
"""Called with (agent, error) whenever the fallback answers."""


class FallbackModel(Model):
    """`primary` (an LLM) with `fallback` (the offline model) behind it."""

    def __init__(
        self, agent: str, primary: Model, fallback: Model, on_fallback: FallbackHook | None = None
    ) -> None:
        self.agent = agent
        self.primary = primary
        self.fallback = fallback
        self._on_fallback = on_fallback
        self.fallbacks = 0
        self.last_source = "primary"
        """Which model answered the latest call: "primary" or "fallback"."""

    def _note(self, error: BaseException) -> None:
        self.fallbacks += 1
        self.last_source = "fallback"
        # Name the error class only: messages may quote caller text (PHI).
        log.warning("model for %s failed (%s); offline model answers", self.agent, type(error))
        if self._on_fallback is not None:
            self._on_fallback(self.agent, error)

    async def get_response(self, *args: Any, **kwargs: Any) -> ModelResponse:
        self.last_source = "primary"
        try:
            return await self.primary.get_response(*args, **kwargs)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self._note(error)
            return await self.fallback.get_response(*args, **kwargs)

    async def stream_response(
        self, *args: Any, **kwargs: Any
    ) -> AsyncIterator[TResponseStreamEvent]:
        self.last_source = "primary"
        stream = self.primary.stream_response(*args, **kwargs)
        try:
            first = await anext(stream)
        except StopAsyncIteration:
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # Nothing reached the caller yet, so the offline model can take the whole turn.
            self._note(error)
            async for event in self.fallback.stream_response(*args, **kwargs):
                yield event
            return
        yield first
        async for event in stream:
            yield event

    async def close(self) -> None:
        await self.primary.close()
        await self.fallback.close()
