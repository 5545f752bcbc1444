"""The orchestrator: definitions -> OpenAI Agents SDK agents, with state in the backplane."""

from .build import HandoffReason, build_agents
from .conversation import Conversation
from .errors import NoToolRunner, OrchestratorError, UnknownAgent
from .factory import Orchestrator
from .history import BackplaneSession
from .instructions import render_instructions
from .samples import SampleRun, run_sample
from .sentiment import score as sentiment_score
from .settings import ModelFactory, OrchestratorSettings
from .slot_tool import set_slot
from .state import CallState
from .toolbox import RuntimeToolRunner, ToolRunner

__all__ = [
    "BackplaneSession",
    "CallState",
    "Conversation",
    "HandoffReason",
    "ModelFactory",
    "NoToolRunner",
    "Orchestrator",
    "OrchestratorError",
    "OrchestratorSettings",
    "RuntimeToolRunner",
    "SampleRun",
    "ToolRunner",
    "UnknownAgent",
    "build_agents",
    "render_instructions",
    "run_sample",
    "sentiment_score",
    "set_slot",
]
