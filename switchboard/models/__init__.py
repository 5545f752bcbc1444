"""Models for switchboard agents: the offline deterministic model and an LLM with fallback."""

from .contract import SET_SLOT_TOOL, ToolOutcome, handoff_tool_name
from .errors import ModelLayerError
from .fallback import FallbackModel
from .offline import OFFLINE_MODEL_NAME, OfflineModel, SlotSource
from .policy import Decision, Policy, ToolRequest
from .provider import TeamModels
from .settings import LLMSettings
from .transcript import Transcript, parse

__all__ = [
    "OFFLINE_MODEL_NAME",
    "SET_SLOT_TOOL",
    "Decision",
    "FallbackModel",
    "LLMSettings",
    "ModelLayerError",
    "OfflineModel",
    "Policy",
    "SlotSource",
    "TeamModels",
    "ToolOutcome",
    "ToolRequest",
    "Transcript",
    "handoff_tool_name",
    "parse",
]
