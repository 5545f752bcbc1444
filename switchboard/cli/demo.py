"""`switchboard demo`: a simulated phone call into the healthcare team, printed live."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        team: Annotated[Path, typer.Option(help="The vertical that answers.")] = Path(
            "agents/healthcare"
        ),
        speed: Annotated[float, typer.Option(help="Call clock rate: 1 = real time.")] = 1.0,
        backplane: Annotated[
            bool, typer.Option("--backplane", help="Only the backplane walkthrough (no audio).")
        ] = False,
    ) -> None:
        """Place a simulated call (offline STT/TTS, embedded Redis when REDIS_URL is unset):
        reception verifies the caller and hands over to scheduling, live on screen."""
        if backplane:
            from switchboard.walkthrough import run_walkthrough

            asyncio.run(run_walkthrough())
            return
        from switchboard.voice_demo import run_voice_demo

        logging.basicConfig(level=logging.ERROR)  # the transcript is the output
        asyncio.run(run_voice_demo(team=team, speed=speed))
