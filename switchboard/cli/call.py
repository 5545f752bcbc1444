"""`switchboard call`: place a simulated Twilio call against a running server."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


def call(
    script: Annotated[Path, typer.Option("--script", help="Caller script (YAML).", exists=True)],
    server: Annotated[
        str, typer.Option("--server", help="The server's public base URL (PUBLIC_BASE_URL).")
    ] = "http://127.0.0.1:8000",
    auth_token: Annotated[
        str | None,
        typer.Option(
            "--auth-token", envvar="TWILIO_AUTH_TOKEN", help="Signs webhooks and the upgrade."
        ),
    ] = None,
    speed: Annotated[float, typer.Option(help="Clock rate: 1 = real time.")] = 1.0,
    record: Annotated[
        Path | None, typer.Option("--record", help="Write the stereo recording here.")
    ] = None,
    echo_db: Annotated[
        float | None,
        typer.Option(
            "--echo-db",
            help="Send the agent's voice back down the line this many dB under what the caller "
            "hears (a speakerphone), 60 ms late and band-limited.",
        ),
    ] = None,
    redis_url: Annotated[
        str | None,
        typer.Option(
            "--redis-url",
            help="The server's backplane: the caller then waits for each reply to be recorded "
            "as well as for silence, so a pause inside a reply never reads as its end.",
        ),
    ] = None,
) -> None:
    """Call SERVER as Twilio would and play the scripted caller; prints what happened."""
    from backplane import Backplane
    from switchboard.testing import SimulatorSettings, TwilioSimulator, caller_synthesizer
    from switchboard.testing.script import CallerScript, run_script

    out = Console(highlight=False)
    if not auth_token:
        out.print("[red]an auth token is required (--auth-token or TWILIO_AUTH_TOKEN)[/red]")
        raise typer.Exit(code=2)
    caller, base_dir = CallerScript.load(script)

    async def run() -> None:
        settings = SimulatorSettings(
            server=server, auth_token=auth_token, speed=speed, echo_db=echo_db
        )
        sim = TwilioSimulator(settings, synthesizer=caller_synthesizer())
        try:
            if redis_url:
                async with await Backplane.connect(redis_url) as bp:
                    result = await run_script(sim, caller, base_dir=base_dir, backplane=bp)
            else:
                result = await run_script(sim, caller, base_dir=base_dir)
        finally:
            await sim.aclose()
        target = record or Path(os.environ.get("SWITCHBOARD_DATA_DIR", "var")) / "calls"
        if target.suffix != ".wav":
            target = target / f"{result.call.call_sid}.wav"
        path = result.call.line.write_wav(target)
        out.print(f"call {result.call.call_sid}: {len(result.timings)} caller lines")
        for timing in result.timings:
            latency = timing.latency_ms
            shown = f"{latency:.0f} ms" if latency is not None else "no answer"
            out.print(f"  {timing.text!r}: agent answered after {shown}")
        for line in result.unanswered:
            out.print(f"[yellow]  unanswered: {line!r}[/yellow]")
        out.print(f"recording: {path}")

    asyncio.run(run())


def register(app: typer.Typer) -> None:
    app.command(name="call")(call)


__all__ = ["register"]
