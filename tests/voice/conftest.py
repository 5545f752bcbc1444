"""A live voice server on 127.0.0.1 (real uvicorn, real Redis) and a simulator pointed at it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from backplane import Backplane
from switchboard.testing import SimulatorSettings, TwilioSimulator
from switchboard.testing.live import loopback_socket, serve
from tests.voice.stand_ins import ToneRecognizer, ToneSynthesizer, echo_factory
from voice.app import VoiceServer, create_app
from voice.config import VoiceSettings

AUTH_TOKEN = "test-auth-token-0123456789abcdef"


@dataclass
class Live:
    url: str
    server: VoiceServer
    sim: TwilioSimulator
    backplane: Backplane


@pytest.fixture
async def live(redis_client) -> AsyncIterator[Live]:  # type: ignore[no-untyped-def]
    async with live_server(redis_client) as running:
        yield running


@contextlib.asynccontextmanager
async def live_server(  # type: ignore[no-untyped-def]
    redis_client, **overrides: object
) -> AsyncIterator[Live]:
    """The echo server on a loopback port; `overrides` go to its `VoiceSettings`."""
    bp = Backplane(redis_client)
    sock, url = loopback_socket()
    settings = VoiceSettings(  # type: ignore[arg-type]
        auth_token=AUTH_TOKEN, worker_id="test-worker", public_base_url=url, **overrides
    )
    server = VoiceServer(
        settings=settings,
        backplane=bp,
        agents=echo_factory,
        recognizer=ToneRecognizer(),
        synthesizer=ToneSynthesizer(),
        entry_agent="echo",
    )
    async with serve(create_app(server), sock=sock):
        sim = TwilioSimulator(SimulatorSettings(server=url, auth_token=AUTH_TOKEN, speed=4.0))
        try:
            yield Live(url=url, server=server, sim=sim, backplane=bp)
        finally:
            await sim.aclose()
