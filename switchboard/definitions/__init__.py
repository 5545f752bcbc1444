"""Agent definition files: format (pydantic), loader with file:line:column errors, schema."""

from .errors import DefinitionError, DefinitionErrors
from .loader import check_folder, check_path, load_team, team_folders
from .schema import json_schemas, write_schemas
from .spec import (
    ActionSpec,
    AgentSpec,
    EscalationRule,
    HandoffSpec,
    SampleDialogue,
    SampleExpect,
    SampleTurn,
    SlotSpec,
    TeamSpec,
)
from .team import Sample, Team
from .templates import render, spoken
from .toolnames import BUILTIN_TOOLS, known_tools

__all__ = [
    "BUILTIN_TOOLS",
    "ActionSpec",
    "AgentSpec",
    "DefinitionError",
    "DefinitionErrors",
    "EscalationRule",
    "HandoffSpec",
    "Sample",
    "SampleDialogue",
    "SampleExpect",
    "SampleTurn",
    "SlotSpec",
    "Team",
    "TeamSpec",
    "check_folder",
    "check_path",
    "json_schemas",
    "known_tools",
    "load_team",
    "render",
    "spoken",
    "team_folders",
    "write_schemas",
]
