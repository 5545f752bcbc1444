"""The `voice.turns.CallAgentFactory` the voice server is given."""

from __future__ import annotations

from pathlib import Path

from backplane import OwnedSession
from switchboard.definitions import Team, load_team

from .conversation import Conversation, OrchestratorSettings


class Orchestrator:
    """Builds a `Conversation` (a `CallAgent`) for each call of one team.

    `await Orchestrator(team)(session, resumed=False)` — the call loop calls it when a stream
    starts or resumes on another worker; state comes from the backplane either way.
    """

    def __init__(self, team: Team, settings: OrchestratorSettings | None = None) -> None:
        self.team = team
        self.settings = settings or OrchestratorSettings()

    @classmethod
    def from_folder(
        cls, folder: Path | str, settings: OrchestratorSettings | None = None
    ) -> Orchestrator:
        return cls(load_team(folder), settings)

    async def __call__(self, session: OwnedSession, *, resumed: bool) -> Conversation:
        # `resumed` needs no special handling here: the agent, slots and history are read
        # from the backplane; the caller decides whether to play the greeting.
        return await Conversation.attach(self.team, session, self.settings)
