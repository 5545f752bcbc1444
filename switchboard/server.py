"""Wires the voice server: backplane + orchestrator (the team's agents) + STT/TTS + barge-in.

`voice` must not import `switchboard`, so this is where the orchestrator's `CallAgentFactory`,
the offline speech models and the barge-in hook meet `voice.app.VoiceServer`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI

from backplane import Backplane
from switchboard.definitions import Team
from voice.app import VoiceServer, create_app
from voice.call import TurnTiming
from voice.config import VoiceSettings
from voice.hooks import InboundHookFactory
from voice.speech import Recognizer, Synthesizer
from voice.turns import CallAgentFactory

if TYPE_CHECKING:
    from switchboard.orchestrator import OrchestratorSettings

DEFAULT_TEAM = Path("agents/healthcare")


@dataclass(frozen=True, kw_only=True, slots=True)
class ServerSettings:
    """What `switchboard serve` runs."""

    team_dir: Path = DEFAULT_TEAM
    """The vertical whose agents answer calls (its `team.yaml` names the entry agent)."""
    voice: VoiceSettings = field(default_factory=VoiceSettings.from_env)
    barge_in: bool = True
    """Let callers interrupt the agent (hybrid detector); off = half-duplex calls."""
    orchestration: OrchestratorSettings | None = None
    """Models and tools of the agents; None: from the environment (tools through the tool
    runtime, services from SWITCHBOARD_CALENDAR_URL, SWITCHBOARD_CRM_URL, TWILIO_*)."""


def default_synthesizer() -> Synthesizer:
    """The configured streaming TTS (offline piper voice by default)."""
    from voice.tts import default_synthesizer as make

    return make()


def default_recognizer() -> Recognizer:
    """The configured streaming STT with end-of-turn detection (offline Whisper by default)."""
    from voice.stt import default_recognizer as make

    return make()


def barge_in_hooks(
    recognizer: object | None = None, team: Team | None = None
) -> InboundHookFactory:
    """One barge-in controller per call (`voice.bargein_hooks.BargeInHooks`): shared Silero and
    batched detectors, plus a short-context Whisper check of candidate segments for words
    (backchannels vs. a real interruption). The call's streaming `recognizer` is not used for
    that: its decodes are too slow for the 200-700 ms confirmation window. With a `team`, each
    reply is tuned by the `barge_in:` blocks of team.yaml and of the agent speaking it."""
    from voice.bargein_hooks import BargeInHooks

    return BargeInHooks(settings_for=team.barge_in if team is not None else None)


def team_agents(
    team_dir: Path, orchestration: OrchestratorSettings | None = None
) -> tuple[CallAgentFactory, str]:
    """The orchestrator's call-agent factory for a team, and the team's entry agent."""
    from switchboard.orchestrator import Orchestrator

    orchestrator = Orchestrator.from_folder(team_dir, orchestration)
    return orchestrator, orchestrator.team.entry


async def warm_up(*models: object) -> None:
    """Load models before the first call (adapters that can, expose `warm_up()`)."""
    for model in models:
        warm = getattr(model, "warm_up", None)
        if warm is not None:
            await warm()


async def build_voice_server(
    settings: ServerSettings,
    backplane: Backplane,
    *,
    agents: CallAgentFactory | None = None,
    entry_agent: str | None = None,
    recognizer: Recognizer | None = None,
    synthesizer: Synthesizer | None = None,
    on_timing: Callable[[TurnTiming], None] | None = None,
) -> VoiceServer:
    """A VoiceServer with the defaults for anything not given."""
    if agents is None:
        agents, entry = team_agents(settings.team_dir, settings.orchestration)
        entry_agent = entry_agent or entry
    recognizer = recognizer or default_recognizer()
    synthesizer = synthesizer or default_synthesizer()
    team = getattr(agents, "team", None)  # the orchestrator's; stand-in agents have none
    team = team if isinstance(team, Team) else None
    hooks = barge_in_hooks(recognizer, team) if settings.barge_in else None
    await warm_up(recognizer, synthesizer, hooks)
    return VoiceServer(
        settings=settings.voice,
        backplane=backplane,
        agents=agents,
        entry_agent=entry_agent or "reception",
        recognizer=recognizer,
        synthesizer=synthesizer,
        hooks=hooks,
        on_timing=on_timing,
    )


@contextlib.asynccontextmanager
async def voice_app(
    settings: ServerSettings, backplane: Backplane | None = None, **parts: object
) -> AsyncIterator[tuple[FastAPI, VoiceServer]]:
    """The app and its server; connects (and closes) a backplane when none is given."""
    own = backplane is None
    bp = backplane or await Backplane.connect()
    try:
        server = await build_voice_server(settings, bp, **parts)  # type: ignore[arg-type]
        try:
            yield create_app(server), server
        finally:
            close = getattr(server.agents, "aclose", None)  # the orchestrator's tool runtime
            if close is not None:
                await close()
    finally:
        if own:
            await bp.close()


__all__ = [
    "ServerSettings",
    "barge_in_hooks",
    "build_voice_server",
    "default_recognizer",
    "default_synthesizer",
    "team_agents",
    "voice_app",
    "warm_up",
]
