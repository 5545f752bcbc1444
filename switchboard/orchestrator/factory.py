"""The `voice.turns.CallAgentFactory` the voice server is given."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from backplane import OwnedSession
from switchboard.definitions import Team, load_team
from tools import ToolDeps, ToolRuntime

from .conversation import Conversation
from .settings import OrchestratorSettings
from .toolbox import RuntimeToolRunner, ToolRunner


class Orchestrator:
    """Builds a `Conversation` (a `CallAgent`) for each call of one team.

    `await Orchestrator(team)(session, resumed=False)` — the call loop calls it when a stream
    starts or resumes on another worker; state comes from the backplane either way.

    Unless `settings.tools` says otherwise, named tools run through one `tools.ToolRuntime`
    per Redis connection, shared by every call of this orchestrator (its circuit breakers
    and idempotency cache live in that Redis). Close it with `aclose()` (or `async with`).
    """

    def __init__(self, team: Team, settings: OrchestratorSettings | None = None) -> None:
        self.team = team
        self.settings = settings or OrchestratorSettings()
        self._runtimes: dict[int, ToolRuntime] = {}

    @classmethod
    def from_folder(
        cls, folder: Path | str, settings: OrchestratorSettings | None = None
    ) -> Orchestrator:
        return cls(load_team(folder), settings)

    def tool_runner(self, session: OwnedSession) -> ToolRunner:
        """The configured runner, else the tool runtime on the session's Redis."""
        if self.settings.tools is not None:
            return self.settings.tools
        redis = session.backplane.redis
        runtime = self._runtimes.get(id(redis))
        if runtime is None or runtime.redis is not redis:
            deps = ToolDeps(self.settings.services_or_env())
            runtime = self._runtimes[id(redis)] = ToolRuntime(redis, deps=deps)
        return RuntimeToolRunner(runtime)

    async def __call__(self, session: OwnedSession, *, resumed: bool) -> Conversation:
        # `resumed` needs no special handling here: the agent, slots and history are read
        # from the backplane; the caller decides whether to play the greeting.
        settings = dataclasses.replace(self.settings, tools=self.tool_runner(session))
        return await Conversation.attach(self.team, session, settings)

    async def aclose(self) -> None:
        """Close the tool runtimes' HTTP clients (the Redis connections are the backplane's)."""
        runtimes, self._runtimes = list(self._runtimes.values()), {}
        for runtime in runtimes:
            await runtime.aclose()

    async def __aenter__(self) -> Orchestrator:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
