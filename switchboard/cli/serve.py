"""`switchboard serve`: the Twilio-facing server (webhooks + Media Streams) under uvicorn."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer


def serve(
    team: Annotated[Path, typer.Option(help="The vertical that answers calls.")] = Path(
        "agents/healthcare"
    ),
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    barge_in: Annotated[bool, typer.Option(help="Let callers interrupt the agent.")] = True,
) -> None:
    """Serve Twilio: POST /twilio/voice, WS /twilio/stream, /twilio/status, /twilio/stream-ended.

    Configuration: TWILIO_AUTH_TOKEN (required: signatures are checked), PUBLIC_BASE_URL (the
    URL Twilio uses, when behind a proxy or tunnel), REDIS_URL (else an embedded Redis).
    """
    import uvicorn

    from switchboard.server import ServerSettings, voice_app
    from voice import eventloop, heap
    from voice.config import WS_MAX_BYTES, VoiceSettings

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    voice = VoiceSettings.from_env()
    if voice.public_base_url is None:
        voice = VoiceSettings.from_env(public_base_url=f"http://{host}:{port}")
    settings = ServerSettings(team_dir=team, voice=voice, barge_in=barge_in)

    async def run() -> None:
        async with voice_app(settings) as (app, _server):
            heap.settle()  # models loaded: no full collection walks them mid-call
            config = uvicorn.Config(
                app, host=host, port=port, ws_max_size=WS_MAX_BYTES, log_level="info"
            )
            await uvicorn.Server(config).serve()

    eventloop.run(run())


def register(app: typer.Typer) -> None:
    app.command(name="serve")(serve)


__all__ = ["register"]
