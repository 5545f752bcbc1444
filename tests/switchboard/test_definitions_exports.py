"""The public API of the definitions, slots, models and orchestrator packages is pinned."""

from __future__ import annotations

import importlib

import pytest

PINNED = {
    "switchboard.definitions": {"load_team", "check_path", "Team", "DefinitionError"},
    "switchboard.slots": {"SlotKind", "normalize", "extract", "SlotValueError"},
    "switchboard.models": {"OfflineModel", "TeamModels", "LLMSettings", "FallbackModel"},
    "switchboard.orchestrator": {
        "Orchestrator",
        "Conversation",
        "run_sample",
        "ToolRunner",
        "RuntimeToolRunner",
        "OrchestratorSettings",
        "ModelFactory",
    },
}


@pytest.mark.parametrize("module", sorted(PINNED))
def test_exports(module: str) -> None:
    mod = importlib.import_module(module)
    assert PINNED[module] <= set(mod.__all__)
    assert all(hasattr(mod, name) for name in mod.__all__)
    assert len(mod.__all__) <= 30
