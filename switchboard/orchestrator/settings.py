"""How the orchestrator runs calls: models, tools and the services behind the tools."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agents import Model

from switchboard.models import LLMSettings
from tools import BuiltinSettings

from .toolbox import ToolRunner

ModelFactory = Callable[[str, Model], Model]
"""Called with (agent name, the model the orchestrator built for it); returns the model the
agent uses. Replay serves recorded outputs through it; anyone can wrap a model here."""


@dataclass(frozen=True, kw_only=True)
class OrchestratorSettings:
    """How calls are run. The defaults are production's: models and services from the
    environment, every named tool through the tool runtime."""

    llm: LLMSettings | None = None
    """LLM settings; None reads the environment (no `OPENAI_API_KEY`: offline model)."""
    tools: ToolRunner | None = None
    """Runs named tools. None: the tool runtime (`tools.ToolRuntime`: retries, idempotency,
    circuit breaker, audit) on the session's Redis, reaching the services in `services`."""
    services: BuiltinSettings | None = None
    """Where the built-in tools find the calendar, CRM and Twilio. None reads the environment
    (`BuiltinSettings.from_env`: SWITCHBOARD_CALENDAR_URL, SWITCHBOARD_CRM_URL,
    SWITCHBOARD_CRM_TOKEN, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER,
    TWILIO_API_BASE, SWITCHBOARD_HUMAN_NUMBER). `switchboard.local_services` starts local
    ones for offline runs."""
    model_factory: ModelFactory | None = None
    """Wraps or replaces each agent's model (replay); None uses the models as built."""
    max_model_calls: int = 12
    """Upper bound of model calls in one caller turn (slot sets, handoffs, tools, reply)."""

    def services_or_env(self) -> BuiltinSettings:
        return self.services if self.services is not None else BuiltinSettings.from_env()
