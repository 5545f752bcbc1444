"""The voice demo: a simulated phone call into a team, printed live.

Starts the voice server in-process (uvicorn on 127.0.0.1, the embedded Redis unless REDIS_URL
is set), places a call through the Twilio simulator with a scripted caller whose lines are
synthesised by the offline TTS and recognised by the offline STT, prints the transcript with
the current agent and slots as events arrive, then the final state, the stereo recording and
the replay command. Offline, no keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from pathlib import Path

from rich.console import Console
from rich.table import Table

from backplane import AgentTurn, Backplane, CallerTurn, Handoff, SlotSet, ToolAttempt
from switchboard.local_services import LocalServices, LocalServicesSettings
from switchboard.orchestrator import OrchestratorSettings
from switchboard.server import ServerSettings, build_voice_server
from switchboard.testing import SimulatorSettings, TwilioSimulator
from switchboard.testing.caller_voice import caller_synthesizer
from switchboard.testing.live import loopback_socket, serve
from switchboard.testing.script import CallerScript, run_script
from voice.app import create_app
from voice.config import VoiceSettings

# How the number is said matters to the offline STT (Whisper tiny.en): "312-555-0187" read as
# numbers fell into a repetition loop ("312-5500187. My number is 312-"), and "five five five"
# lost a five in most runs ("312-55-0187": no number, so the agent asked again). "Five
# fifty-five", as many people say it, transcribed right at every offset tried.
CALLER_LINES = (
    "Hi, I'd like to book a physical for myself.",
    "My name is Dana Whitfield.",
    "It is March third, nineteen eighty-five.",
    "Next Tuesday at 3 in the afternoon.",
    "My number is three one two, five fifty-five, zero one eight seven.",
    "That's all, thank you. Goodbye.",
)


def _value(slot: object) -> object:
    """A handoff's slot snapshot holds {value, confidence, ...}; show the value."""
    return slot.get("value") if isinstance(slot, dict) else slot


async def _print_events(bp: Backplane, sid: str, console: Console) -> None:
    agent = "?"
    slots: dict[str, object] = {}
    async for event in bp.tail(sid, from_id="0"):
        if isinstance(event, CallerTurn):
            console.print(f"[bold green]caller[/]            {event.text}")
        elif isinstance(event, AgentTurn):
            agent = event.agent
            cut = " [dim](interrupted)[/]" if event.interrupted else ""
            console.print(f"[bold cyan]{agent:<17}[/] {event.text}{cut}")
        elif isinstance(event, SlotSet):
            slots[event.name] = event.value
            console.print(f"[dim]                  slot {event.name} = {event.value!r}[/]")
        elif isinstance(event, ToolAttempt):
            console.print(
                f"[yellow]tool[/]              {event.tool} #{event.attempt} {event.outcome} "
                f"({event.latency_ms:.0f} ms)"
            )
        elif isinstance(event, Handoff):
            agent = event.to_agent
            known = ", ".join(f"{k}={_value(v)!r}" for k, v in sorted(event.slots.items()))
            console.print(
                f"[bold magenta]handoff[/]           {event.from_agent} -> {event.to_agent} "
                f"(knows: {known or 'nothing yet'})"
            )


async def run_voice_demo(
    *, team: Path = Path("agents/healthcare"), speed: float = 1.0, console: Console | None = None
) -> str:
    """Run the demo call; returns the session ID."""
    console = console or Console(highlight=False)
    token = secrets.token_hex(16)  # signatures are real even in the demo
    data_dir = Path(os.environ.get("SWITCHBOARD_DATA_DIR", "var"))
    console.print("[bold]switchboard demo[/]: a simulated phone call, offline models, no keys")
    # The booking tools run for real, against a calendar service started on 127.0.0.1, on a
    # calendar of the demo's own, empty each run (else a second run finds its slot taken)
    options = LocalServicesSettings(data_dir=data_dir / "demo")
    (options.data_dir / "calendar" / "calendar.sqlite").unlink(missing_ok=True)
    with LocalServices(options=options) as local:
        for line in local.started():
            console.print(f"local service: {line}", markup=False)
        sid = await _call(team, speed, local, data_dir, token, console)
    console.print(f"replay: switchboard replay {sid}")
    return sid


async def _call(
    team: Path, speed: float, local: LocalServices, data_dir: Path, token: str, console: Console
) -> str:
    async with await Backplane.connect() as bp:
        sock, url = loopback_socket()
        voice = VoiceSettings(auth_token=token, public_base_url=url, worker_id="demo-worker")
        console.print(f"starting the voice server on {url} (team {team}) ...")
        orchestration = OrchestratorSettings(services=local.settings)
        server = await build_voice_server(
            ServerSettings(team_dir=team, voice=voice, orchestration=orchestration), bp
        )
        async with serve(create_app(server), sock=sock):
            sim = TwilioSimulator(
                SimulatorSettings(server=url, auth_token=token, speed=speed),
                synthesizer=caller_synthesizer(),
            )
            script = CallerScript.of_lines(*CALLER_LINES, call_sid="CA" + secrets.token_hex(16))
            sid = script.call_sid or ""
            console.print(f"calling as {script.from_} (call {sid})\n")
            printer = asyncio.create_task(_print_events(bp, sid, console))
            try:
                result = await run_script(sim, script, backplane=bp)
            finally:
                await asyncio.sleep(0.3)  # let the last events print
                printer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await printer
                await sim.aclose()
        snap = await bp.snapshot(sid)
        wav = result.call.line.write_wav(data_dir / "calls" / f"{sid}.wav")
    table = Table(title="final state", show_header=False)
    table.add_row("agent", snap.agent)
    table.add_row("status", str(snap.status))
    call = result.call
    hung_up = "the agent, after its farewell" if call.server_closed else "the caller"
    table.add_row("hung up by", hung_up if call.closed else "nobody (call still up)")
    for name, slot in sorted(snap.slots.items()):
        table.add_row(f"slot {name}", repr(slot.value))
    latencies = [t.latency_ms for t in result.timings if t.latency_ms is not None]
    if latencies:
        table.add_row("answer latency", f"{min(latencies):.0f}-{max(latencies):.0f} ms")
    console.print()
    console.print(table)
    for request in local.recorded():
        body = request.form.get("Body") or request.json or request.form
        table.add_row(f"recorded {request.method} {request.path}", str(body)[:90])
    console.print(f"recording (left: caller, right: agent): {wav}")
    return sid


__all__ = ["CALLER_LINES", "run_voice_demo"]
