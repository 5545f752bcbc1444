"""End-to-end call latency through the Twilio simulator on loopback.

A real server (uvicorn on 127.0.0.1, the real orchestrator with agents/healthcare, the offline
STT and TTS) takes simulated calls whose caller lines are synthesised and sent at real-time pace.
For every caller turn: from the last speech sample of the line (when the simulator sent the
frame holding it) to the agent's first audio frame arriving at the simulator, split into
end-of-turn detection, STT finalisation, model, TTS first chunk and framework overhead (the
rest: frame path, queues, pacing, sockets; `send` and `delivery` are its two measured parts
on the way out: TTS chunk -> socket, and socket -> the simulator). Two configurations in the
same run: barge-in hook on (the product) and off (baseline: the hot path without the per-frame
hook). Prints JSON.

usage: python bench/latency.py [--turns 30] [--team agents/healthcare]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

# Run as a script, this folder is sys.path[0] and its bench/backplane.py would shadow the
# `backplane` package; benchmarks import the installed packages only.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from backplane import Backplane  # noqa: E402
from switchboard.server import ServerSettings, build_voice_server, default_synthesizer  # noqa: E402
from switchboard.testing import SimulatorSettings, TwilioSimulator  # noqa: E402
from switchboard.testing.live import loopback_socket, serve  # noqa: E402
from voice.app import create_app  # noqa: E402
from voice.call import TurnTiming  # noqa: E402
from voice.config import VoiceSettings  # noqa: E402

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


async def run_config(bp: Backplane, team: Path, *, barge_in: bool, turns: int) -> dict[str, object]:
    timings: list[TurnTiming] = []
    sock, url = loopback_socket()
    voice = VoiceSettings(auth_token=TOKEN, public_base_url=url, worker_id="bench")
    settings = ServerSettings(team_dir=team, voice=voice, barge_in=barge_in)
    server = await build_voice_server(settings, bp, on_timing=timings.append)
    rows: list[dict[str, float | None]] = []
    async with serve(create_app(server), sock=sock):
        sim = TwilioSimulator(
            SimulatorSettings(server=url, auth_token=TOKEN, speed=1.0),
            synthesizer=default_synthesizer(),
        )
        try:
            while len(rows) < turns:
                call = await sim.place_call()
                await call.wait_for_agent(within=60)
                for line in LINES:
                    before = len(timings)
                    timing = await call.say(line)
                    await call.wait_for_agent(within=60)
                    for _ in range(100):  # the loop reports a turn once its reply has played
                        if len(timings) > before:
                            break
                        await asyncio.sleep(0.02)
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
    finally:
        await bp.close()
    framework_p99 = product["framework_ms"]["p99"]  # type: ignore[index]
    e2e_p50 = product["end_to_end_ms"]["p50"]  # type: ignore[index]
    report = {
        "benchmark": "voice latency (caller's last speech sample -> agent's first audio frame)",
        "with_barge_in": product,
        "baseline_without_barge_in_hook": baseline,
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
