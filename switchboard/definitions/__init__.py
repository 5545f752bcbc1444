"""Agent definition files: format (pydantic), loader with file:line:column errors, schema."""

from .errors import DefinitionError, DefinitionErrors
from .loader import check_folder, check_path, load_team, team_folders
from .schema import json_schemas, write_schemas
from .spec import (
    ActionSpec,
    AgentSpec,
    EscalationRule,
    ExpectedBooking,
    FarewellSpec,
    HandoffSpec,
    SampleBooking,
    SampleDialogue,
    SampleExpect,
    SampleTurn,
    SlotSpec,
    TeamSpec,
)
from .team import Sample, Team
from .templates import render, spoken
from .toolnames import BUILTIN_TOOLS, ToolArguments, known_tools, tool_arguments

__all__ = [
    "BUILTIN_TOOLS",
    "ActionSpec",
    "AgentSpec",
    "DefinitionError",
    "DefinitionErrors",
    "EscalationRule",
    "ExpectedBooking",
    "FarewellSpec",
    "HandoffSpec",
    "Sample",
    "SampleBooking",
    "SampleDialogue",
    "SampleExpect",
    "SampleTurn",
    "SlotSpec",
    "Team",
    "TeamSpec",
    "ToolArguments",
    "check_folder",
    "check_path",
    "json_schemas",
    "known_tools",
    "load_team",
    "render",
    "spoken",
    "team_folders",
    "tool_arguments",
    "write_schemas",
]
