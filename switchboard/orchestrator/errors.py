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
