"""End-to-end calls: the real server on 127.0.0.1 with the healthcare team and offline models."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backplane import Backplane
from switchboard.server import ServerSettings, build_voice_server
from switchboard.testing import SimulatorSettings, TwilioSimulator, caller_synthesizer
from switchboard.testing.live import loopback_socket, serve
from voice.app import VoiceServer, create_app
from voice.config import VoiceSettings

# The offline STT/TTS adapters are their own work item; until they are in the tree, skip.
pytest.importorskip("voice.stt")
pytest.importorskip("voice.tts")

AUTH_TOKEN = "e2e-auth-token-0123456789abcdef"
TEAM = Path(__file__).resolve().parents[2] / "agents" / "healthcare"


@dataclass
class LiveCall:
    url: str
    server: VoiceServer
    sim: TwilioSimulator
    backplane: Backplane


@pytest.fixture
async def healthcare(redis_client) -> AsyncIterator[LiveCall]:  # type: ignore[no-untyped-def]
    bp = Backplane(redis_client)
    sock, url = loopback_socket()
    voice = VoiceSettings(auth_token=AUTH_TOKEN, public_base_url=url, worker_id="e2e-worker")
    server = await build_voice_server(ServerSettings(team_dir=TEAM, voice=voice), bp)
    async with serve(create_app(server), sock=sock):
        sim = TwilioSimulator(
            SimulatorSettings(server=url, auth_token=AUTH_TOKEN, speed=1.5),
            synthesizer=caller_synthesizer(),
        )
        try:
            yield LiveCall(url=url, server=server, sim=sim, backplane=bp)
        finally:
            await sim.aclose()
