"""Which model each agent of a call gets: offline, or an OpenAI-compatible LLM with fallback."""

from __future__ import annotations

from agents import Model, OpenAIChatCompletionsModel
from openai import AsyncOpenAI

from switchboard.definitions import Team

from .fallback import FallbackHook, FallbackModel
from .offline import OFFLINE_MODEL_NAME, OfflineModel, SlotSource
from .settings import LLMSettings


class TeamModels:
    """Builds the model for each agent of one call.

    The model name comes from `SWITCHBOARD_MODEL`, else the agent's `model`, else the team's.
    `offline`, or any name without an API key, gives the offline model; any other name gives
    the OpenAI-compatible Chat Completions model, with the offline model as its fallback.
    """

    def __init__(
        self,
        team: Team,
        slots: SlotSource,
        settings: LLMSettings | None = None,
        on_fallback: FallbackHook | None = None,
    ) -> None:
        self.team = team
        self.settings = settings if settings is not None else LLMSettings.from_env()
        self._slots = slots
        self._on_fallback = on_fallback
        self._client: AsyncOpenAI | None = None

    def model_name(self, agent: str) -> str:
        name = self.settings.model or self.team.model_name(agent)
        if name != OFFLINE_MODEL_NAME and not self.settings.api_key:
            return OFFLINE_MODEL_NAME
        return name

    def client(self) -> AsyncOpenAI:
        if self._client is None:
            self._client = AsyncOpenAI(
                api_key=self.settings.api_key,
                base_url=self.settings.base_url,
                timeout=self.settings.timeout_s,
                max_retries=self.settings.max_retries,
            )
        return self._client

    def for_agent(self, agent: str) -> Model:
        offline = OfflineModel(self.team, agent, self._slots)
        name = self.model_name(agent)
        if name == OFFLINE_MODEL_NAME:
            return offline
        primary = OpenAIChatCompletionsModel(model=name, openai_client=self.client())
        return FallbackModel(agent, primary, offline, self._on_fallback)
