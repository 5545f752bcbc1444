"""Load benchmark: N concurrent calls through echo canceller, VAD and the barge-in controller.

Each simulated call gets pre-encoded 20 ms mu-law frames of a corpus clip (looped), paced at real
time, with the agent's audio flowing out through a real `Playout` (the same simulated Twilio line
as bench/bargein.py); after a confirmed barge-in the agent's next reply starts 1 s later, so the
load is a conversation whatever the scorer decides. All calls share one batched Silero session,
the batched detectors and one scorer batch, as in the server, and candidates are recognised
(one shared short-context Whisper, off the loop) as in a live call. Reports per N: CPU use,
p50/p99 lag from a frame's due time to its barge-in decision, late frames (decided more than
20 ms after they were due, i.e. the next frame was already waiting), and the pause latency on
interrupt clips, with the machine's load average (it is shared). Prints JSON.

By default in-process (the server's WebSocket frame parsing is not included); `--transport ws`
runs the same calls against one real server process on loopback (bench/load_ws.py), where
`--max-calls` sets the server's capacity (`voice.capacity`): it answers calls past it busy,
and the row reports offered, refused and served calls.

usage: python bench/load.py --corpus DIR [--calls 25,50,100,200] [--seconds 10]
                            [--transport inproc|ws] [--hold-ms MS] [--no-words]
                            [--ramp-s S] [--max-calls N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

# Run as a script, this folder is sys.path[0]; its bench/backplane.py would shadow the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
sys.path.insert(0, str(Path(__file__).parent.parent))

from bench.bargein import SimulatedLine  # noqa: E402
from bench.load_ws_server import interrupt_clips  # noqa: E402
from voice import eventloop, heap  # noqa: E402
from voice.bargein import BargeInController, Confirm, Pause  # noqa: E402
from voice.bargein_batch import BatchScorer  # noqa: E402
from voice.bargein_words import SegmentWords  # noqa: E402
from voice.codec import FRAME_SAMPLES, pcm_to_ulaw, ulaw_to_pcm  # noqa: E402
from voice.frontend import HOLD_FROM_CALLS, HOLD_MS, SharedFrontEnd, limit_blas_threads  # noqa: E402
from voice.hooks import InboundFrame  # noqa: E402
from voice.playout import Playout, PlayoutSettings  # noqa: E402
from voice.silero import SharedSilero  # noqa: E402

_CALLER_TURN_FRAMES = 50  # after a confirmed barge-in, the agent's next reply starts 1 s later


class WallClock:
    def __init__(self, start: float) -> None:
        self.start = start

    def __call__(self) -> float:
        return time.monotonic() - self.start


def prepare(clip: dict, root: Path, seconds: float) -> tuple[list[bytes], bytes]:
    """Pre-encode a call's frames, so the load generator itself costs little."""
    mic, _ = sf.read(str(root / clip["audio"]), dtype="int16")
    agent, _ = sf.read(str(root / clip["agent_audio"]), dtype="int16")
    n = min(len(mic), len(agent)) // FRAME_SAMPLES
    frames = int(seconds * 50)
    inbound = [pcm_to_ulaw(mic[i * 160 : (i + 1) * 160]) for i in range(n)]
    return inbound, pcm_to_ulaw(np.tile(agent[: n * FRAME_SAMPLES], frames // n + 1))


async def call(
    clip: dict,
    data: tuple[list[bytes], bytes],
    silero: SharedSilero,
    front: SharedFrontEnd,
    seconds: float,
    start: float,
    words: SegmentWords | None = None,
    scorer: BatchScorer | None = None,
) -> dict:
    inbound, outbound = data
    n = len(inbound)
    frames = int(seconds * 50)
    clock = WallClock(start)
    playout = Playout(PlayoutSettings(chunk_ms=100, max_ahead_ms=200), clock=clock)
    playout.start_reply()
    playout.add_audio(outbound, text="")
    playout.finish_reply()
    line = SimulatedLine(playout=playout, clock=clock)  # type: ignore[arg-type]
    ctl = BargeInController(silero=silero, recognizer=words, frontend=front, scorer=scorer)
    lags, pause_ms, next_reply = [], None, -1
    for i in range(frames):
        due = start + (i + 1) * 0.02
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if i == next_reply:  # the caller had their turn: the agent talks again
            playout.start_reply()
            playout.add_audio(outbound[i * 160 :], text="")
            playout.finish_reply()
        line.tick()
        pcm = ulaw_to_pcm(inbound[i % n])
        far = ulaw_to_pcm(outbound[i * 160 : (i + 1) * 160])
        frame = InboundFrame(pcm=pcm, timestamp_ms=i * 20, received_at=due, outbound=far)
        action = await ctl.on_frame(frame, line)
        lags.append((time.monotonic() - due) * 1000)
        if isinstance(action, Pause) and pause_ms is None and i < n and clip["onset_ms"]:
            pause_ms = action.t_ms - clip["onset_ms"]
        elif isinstance(action, Confirm):
            # a conversation, not one reply: whatever the scorer decides, every call keeps its
            # barge-in path busy (the load does not fall when calls get cancelled early)
            next_reply = i + _CALLER_TURN_FRAMES
    return {"lags": lags, "pause_ms": pause_ms, "decode_ms": ctl.decode_ms}


def _offset(k: int, n_calls: int, ramp_s: float) -> float:
    """When call `k` starts: within one frame period (20 offsets 1 ms apart, like calls that
    did not all connect at once), or spread evenly over `ramp_s` seconds (calls arriving)."""
    return k * ramp_s / n_calls if ramp_s > 0 else (k % 20) * 0.001


async def run_n(
    clips: list[dict],
    root: Path,
    n_calls: int,
    seconds: float,
    words: SegmentWords | None = None,
    hold_ms: float = HOLD_MS,
    ramp_s: float = 0.0,
) -> dict:
    pauses_log = heap.PauseLog().install()
    silero = SharedSilero()
    front = SharedFrontEnd(hold_ms=hold_ms, hold_from_calls=HOLD_FROM_CALLS)  # as the server's
    scorer = BatchScorer()
    picks = [clips[i % len(clips)] for i in range(n_calls)]
    data = [prepare(c, root, seconds) for c in picks]
    start = time.monotonic() + 0.2  # each call's own start: `_offset`
    cpu0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    loop0 = time.thread_time()
    out = await asyncio.gather(
        *(
            call(c, d, silero, front, seconds, start + _offset(k, n_calls, ramp_s), words, scorer)
            for k, (c, d) in enumerate(zip(picks, data, strict=True))
        )
    )
    cpu1, t1 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    loop_cpu = time.thread_time() - loop0
    pauses_log.remove()
    silero.close()
    lags = np.concatenate([np.array(o["lags"]) for o in out])
    # the first 2 s hold every call's start-up (first Silero batches, first candidates at once)
    steady = np.concatenate([np.array(o["lags"][100:]) for o in out])
    cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    pauses = [o["pause_ms"] for o in out if o["pause_ms"] is not None]
    decodes = [d for o in out for d in o["decode_ms"]]  # decode time, not queueing
    return {
        "calls": n_calls,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpu_cores_used": round(cpu / (t1 - t0), 2),
        # the event loop's own CPU per call-frame: what bounds calls per process
        "loop_cpu_us_per_frame": round(loop_cpu / len(lags) * 1e6, 1),
        "frame_lag_ms": {
            "p50": round(float(np.percentile(lags, 50)), 1),
            "p99": round(float(np.percentile(lags, 99)), 1),
            "max": round(float(lags.max()), 1),
        },
        "frame_lag_after_2s_ms": {
            "p99": round(float(np.percentile(steady, 99)), 1) if len(steady) else None,
            "late": round(float(np.mean(steady > 20.0)), 4) if len(steady) else None,
        },
        "late_frames": round(float(np.mean(lags > 20.0)), 4),
        "dropped_frames": 0,  # in-process: nothing is dropped, late frames queue instead
        "pause_latency_ms": {
            "p50": float(np.percentile(pauses, 50)) if pauses else None,
            "p95": float(np.percentile(pauses, 95)) if pauses else None,
        },
        "silero_mean_batch": round(silero.windows / max(silero.batches, 1), 1),
        "scorer_mean_batch": round(scorer.rows / max(scorer.runs, 1), 1),
        "gc": pauses_log.summary(),
        "recognitions": len(decodes),
        "recognition_ms": {
            "p50": round(float(np.percentile(decodes, 50)), 1) if decodes else None,
            "p95": round(float(np.percentile(decodes, 95)), 1) if decodes else None,
        },
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--calls", default="25,50,100,200")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--no-words", action="store_true", help="No recognition on candidates.")
    ap.add_argument(
        "--hold-ms",
        type=float,
        default=HOLD_MS,
        help="Front-end batching hold, from 20 calls (default: the server's).",
    )
    ap.add_argument("--ramp-s", type=float, default=0.0,
                    help="Spread the calls' starts over this long (default: at once).")  # fmt: skip
    ap.add_argument("--transport", choices=("inproc", "ws"), default="inproc")
    ap.add_argument("--max-calls", type=int, default=None,
                    help="ws: the server refuses calls past this many (MAX_CALLS).")  # fmt: skip
    ap.add_argument("--port", type=int, default=8765, help="The ws server's port.")
    ap.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop",
                    help="Event loop of the calls (the server's default is uvloop).")  # fmt: skip
    ap.add_argument("--gc", choices=("settled", "default"), default="settled",
                    help="settled: the loaded heap frozen (voice.heap.settle), as `switchboard "
                         "serve` runs; default: Python's collector untouched.")  # fmt: skip
    args = ap.parse_args(argv)
    if args.transport == "ws":
        from bench.load_ws import run_ws

        results = [
            eventloop.run(
                run_ws(
                    args.corpus,
                    int(n),
                    args.seconds,
                    args.port,
                    args.ramp_s,
                    args.loop,
                    args.gc,
                    args.max_calls,
                ),
                uvloop=args.loop == "uvloop",
            )
            for n in args.calls.split(",")
        ]
        _print(args, results)
        return
    limit_blas_threads()  # as the server's shared front end does
    words = None if args.no_words else SegmentWords()
    if words is not None:
        asyncio.run(words.warm_up())
    clips = interrupt_clips(args.corpus)
    if args.gc == "settled":
        heap.settle()
    results = [
        eventloop.run(
            run_n(clips, args.corpus, int(n), args.seconds, words, args.hold_ms, args.ramp_s),
            uvloop=args.loop == "uvloop",
        )
        for n in args.calls.split(",")
    ]
    _print(args, results)


def _print(args: argparse.Namespace, results: list[dict]) -> None:
    report = {
        "transport": args.transport,
        "loop": args.loop,
        "gc": args.gc,
        "ramp_s": args.ramp_s,
        "seconds": args.seconds,
        "cpu_count": os.cpu_count(),
        # the machine is shared: other processes' load bounds what this process can get
        "load_average_1m_after": round(os.getloadavg()[0], 2),
        "results": results,
    }
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
