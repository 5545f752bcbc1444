"""Errors of the orchestrator."""

from __future__ import annotations


class OrchestratorError(Exception):
    """Base class for orchestrator errors."""


class UnknownAgent(OrchestratorError):
    """The backplane names an agent the loaded team does not have (definitions changed?)."""

    def __init__(self, agent: str, team: str) -> None:
        super().__init__(f"session is with agent {agent!r}, which team {team!r} does not define")
        self.agent = agent
        self.team = team


class NoToolRunner(OrchestratorError):
    """A conversation was built without a tool runner (use `Orchestrator`, which provides the
    tool runtime, or set `OrchestratorSettings.tools`)."""

    def __init__(self) -> None:
        super().__init__(
            "no tool runner: build conversations with Orchestrator, or set "
            "OrchestratorSettings.tools"
        )
