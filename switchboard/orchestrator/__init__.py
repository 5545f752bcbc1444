"""The orchestrator: definitions -> OpenAI Agents SDK agents, with state in the backplane."""

from .build import HandoffReason, build_agents
from .conversation import Conversation, OrchestratorSettings
from .errors import OrchestratorError, UnknownAgent
from .factory import Orchestrator
from .history import BackplaneSession
from .instructions import render_instructions
from .samples import SampleRun, run_sample
from .sentiment import score as sentiment_score
from .slot_tool import set_slot
from .state import CallState
from .toolbox import OfflineToolRunner, ToolRunner

__all__ = [
    "BackplaneSession",
    "CallState",
    "Conversation",
    "HandoffReason",
    "OfflineToolRunner",
    "Orchestrator",
    "OrchestratorError",
    "OrchestratorSettings",
    "SampleRun",
    "ToolRunner",
    "UnknownAgent",
    "build_agents",
    "render_instructions",
    "run_sample",
    "sentiment_score",
    "set_slot",
]
