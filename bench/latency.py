"""End-to-end call latency through the Twilio simulator on loopback.

A real server (uvicorn on 127.0.0.1, the real orchestrator with agents/healthcare, the offline
STT and TTS) takes simulated calls whose caller lines are synthesised and sent at real-time pace.
For every caller turn: from the last speech sample of the line (when the simulator sent the
frame holding it) to the agent's first audio frame arriving at the simulator, split into
end-of-turn detection, STT finalisation, model, TTS first chunk and framework overhead (the
rest: frame path, queues, pacing, sockets; `send` and `delivery` are its two measured parts
on the way out: TTS chunk -> socket, and socket -> the simulator). Two configurations in the
same run: barge-in hook on (the product) and off (baseline: the hot path without the per-frame
hook), plus the framework alone with instant stand-in models (energy end of turn, an agent that
answers at once, a tone for TTS), where the residual is the framework's own cost. Prints JSON.

usage: python bench/latency.py [--turns 30] [--team agents/healthcare]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np

# Run as a script, this folder is sys.path[0] and its bench/backplane.py would shadow the
# `backplane` package; benchmarks import the installed packages only.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from backplane import Backplane  # noqa: E402
from switchboard.server import ServerSettings, build_voice_server  # noqa: E402
from switchboard.testing import (  # noqa: E402
    SimulatorSettings,
    TwilioSimulator,
    caller_synthesizer,
)
from switchboard.testing.live import loopback_socket, serve  # noqa: E402
from voice.app import create_app  # noqa: E402
from voice.call import TurnTiming  # noqa: E402
from voice.config import VoiceSettings  # noqa: E402
from voice.speech import Transcript  # noqa: E402

TOKEN = "bench-auth-token"
TARGETS = {"framework_ms_p99": 10.0, "end_to_end_ms_p50": 800.0}

# One call's caller side: reception -> scheduling, then small talk the agents can answer.
LINES = [
    "Hi, I'd like to book a physical for myself.",
    "My name is Dana Whitfield.",
    "It is March third, nineteen eighty-five.",
    "Next Tuesday at 3 in the afternoon.",
    "Thank you.",
    "What time is that again?",
    "Okay.",
    "Thanks, bye.",
]


class _EnergyStream:
    """Framework-only stand-in STT: end of turn after 300 ms below a level, no decoding."""

    def __init__(self) -> None:
        self.loud = 0
        self.quiet = 0
        self.fed_ms = 0
        self.last_loud_ms = 0

    async def feed(self, pcm: np.ndarray) -> list[Transcript]:
        out: list[Transcript] = []
        for frame in pcm.reshape(-1, 160):
            self.fed_ms += 20
            if int(np.abs(frame.astype(np.int32)).max()) > 300:
                self.loud, self.quiet, self.last_loud_ms = self.loud + 1, 0, self.fed_ms
            else:
                self.quiet += 1
            if self.loud >= 5 and self.quiet >= 15:
                self.loud = 0
                now = time.monotonic()
                out.append(Transcript(text="okay", final=True, endpoint_at=now))
        return out

    async def close(self) -> None:
        return None


class _EnergyRecognizer:
    def open(self) -> _EnergyStream:
        return _EnergyStream()


class _InstantAgent:
    """Framework-only stand-in agent: answers at once."""

    async def greeting(self) -> AsyncIterator[str]:
        yield "Hello."

    async def respond(self, caller_text: str) -> AsyncIterator[str]:
        yield "Okay, noted."

    async def on_interrupted(self, heard_text: str) -> None:
        return None


async def _instant_agents(session: object, *, resumed: bool) -> _InstantAgent:
    return _InstantAgent()


class _ToneSynthesizer:
    """Framework-only stand-in TTS: 600 ms of tone, at once."""

    async def synthesize(self, text: str) -> AsyncIterator[np.ndarray]:
        t = np.arange(4800)
        yield (np.sin(t * 2 * np.pi * 220 / 8000) * 6000).astype(np.int16)


def pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


def summarise(rows: list[dict[str, float | None]]) -> dict[str, object]:
    out: dict[str, object] = {"turns": len(rows)}
    keys = ("end_to_end", "end_of_turn", "stt_final", "model", "tts_first", "framework")
    for key in (*keys, "send", "delivery"):
        values = [r[key] for r in rows if r.get(key) is not None]
        out[f"{key}_ms"] = {
            "p50": pct(values, 50),
            "p95": pct(values, 95),
            "p99": pct(values, 99),
            "n": len(values),
        }
    return out


def breakdown(speech_end: float, agent_at: float, t: TurnTiming) -> dict[str, float | None]:
    ms = 1000.0
    endpoint = t.endpoint_at if t.endpoint_at is not None else t.final_at
    row: dict[str, float | None] = {
        "end_to_end": (agent_at - speech_end) * ms,
        "end_of_turn": (endpoint - speech_end) * ms,
        "stt_final": (t.final_at - endpoint) * ms,
        "model": None,
        "tts_first": None,
        "framework": None,
        "send": None,
        "delivery": None,
    }
    if t.first_tts_at is not None and t.first_audio_at is not None:
        row["send"] = (t.first_audio_at - t.first_tts_at) * ms  # TTS chunk -> on the socket
        row["delivery"] = (agent_at - t.first_audio_at) * ms  # socket -> simulator has it
    if t.first_text_at is not None and t.first_tts_at is not None:
        row["model"] = (t.first_text_at - t.final_at) * ms
        row["tts_first"] = (t.first_tts_at - t.first_text_at) * ms
        spent = sum(row[k] or 0.0 for k in ("end_of_turn", "stt_final", "model", "tts_first"))
        row["framework"] = row["end_to_end"] - spent  # type: ignore[operator]
    return row


async def run_config(
    bp: Backplane, team: Path, *, barge_in: bool, turns: int, instant: bool = False
) -> dict[str, object]:
    timings: list[TurnTiming] = []
    sock, url = loopback_socket()
    voice = VoiceSettings(auth_token=TOKEN, public_base_url=url, worker_id="bench")
    settings = ServerSettings(team_dir=team, voice=voice, barge_in=barge_in)
    parts: dict[str, object] = {}
    if instant:
        parts = {
            "agents": _instant_agents,
            "entry_agent": "reception",
            "recognizer": _EnergyRecognizer(),
            "synthesizer": _ToneSynthesizer(),
        }
    server = await build_voice_server(settings, bp, on_timing=timings.append, **parts)  # type: ignore[arg-type]
    rows: list[dict[str, float | None]] = []
    async with serve(create_app(server), sock=sock):
        sim = TwilioSimulator(
            SimulatorSettings(server=url, auth_token=TOKEN, speed=1.0),
            synthesizer=caller_synthesizer(),
        )
        try:
            while len(rows) < turns:
                call = await sim.place_call()
                await call.wait_for_agent(within=60)
                for line in LINES:
                    before = len(timings)
                    timing = await call.say(line)

                    async def replied(before: int = before) -> bool:
                        return len(timings) > before  # reported once the reply has played

                    await call.wait_for_agent(within=60, replied=replied)
                    if (
                        len(timings) > before
                        and timing.speech_end_at is not None
                        and timing.first_agent_audio_at is not None
                    ):
                        t = timings[before]
                        rows.append(breakdown(timing.speech_end_at, timing.first_agent_audio_at, t))
                    if len(rows) >= turns:
                        break
                await call.hangup()
        finally:
            await sim.aclose()
    return summarise(rows)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--team", type=Path, default=Path("agents/healthcare"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    bp = await Backplane.connect()
    started = time.monotonic()
    try:
        product = await run_config(bp, args.team, barge_in=True, turns=args.turns)
        baseline = await run_config(bp, args.team, barge_in=False, turns=args.turns)
        bare = await run_config(bp, args.team, barge_in=False, turns=args.turns, instant=True)
    finally:
        await bp.close()
    framework_p99 = product["framework_ms"]["p99"]  # type: ignore[index]
    e2e_p50 = product["end_to_end_ms"]["p50"]  # type: ignore[index]
    report = {
        "benchmark": "voice latency (caller's last speech sample -> agent's first audio frame)",
        "with_barge_in": product,
        "baseline_without_barge_in_hook": baseline,
        "framework_only_instant_models": bare,
        "targets": TARGETS,
        "meets_targets": {
            "framework_ms_p99": framework_p99 is not None
            and framework_p99 < TARGETS["framework_ms_p99"],
            "end_to_end_ms_p50": e2e_p50 is not None and e2e_p50 < TARGETS["end_to_end_ms_p50"],
        },
        "seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
