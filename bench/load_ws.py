"""`bench/load.py --transport ws`: the same load against one real server process on loopback.

The server (`bench/load_ws_server.py`, started here in its own process) is the real voice app
under uvicorn with the Redis backplane, the stream handler, the call loop, playout and the
barge-in hooks. The load generator (`run_ws`, in the benchmark's process) speaks Twilio's side:
the signed Voice webhook, a signed stream upgrade, then per call one pre-built `media` message
every 20 ms (the clip's frames start when the agent's first audio arrives, as a caller's echo
would), marks echoed as the agent audio "plays", `clear` honoured. Lag is a frame's decision
time minus the time the generator sent it (both CLOCK_MONOTONIC, shared by the two processes),
so it includes the socket, the server's frame parsing and queueing.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import json
import os
import sys
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
from websockets.asyncio.client import connect

from bench.load_ws_server import SID_DIGITS, TOKEN, interrupt_clips, read
from switchboard.testing.twiml import parse_twiml, sign, voice_webhook_params
from voice.codec import FRAME_SAMPLES, pcm_to_ulaw
from voice.messages import Connected, Start, StartInfo, Stop, StopInfo, dump

SERVER = Path(__file__).with_name("load_ws_server.py")


def _media(stream_sid: str, mic: np.ndarray, frames: int) -> list[str]:
    """Every `media` message of the call, built before it starts (the generator costs little)."""
    n = len(mic) // FRAME_SAMPLES
    out = []
    for i in range(frames):
        chunk = pcm_to_ulaw(mic[(i % n) * FRAME_SAMPLES : (i % n + 1) * FRAME_SAMPLES])
        payload = base64.b64encode(chunk).decode()
        out.append(
            json.dumps(
                {
                    "event": "media",
                    "sequenceNumber": str(i + 3),
                    "streamSid": stream_sid,
                    "media": {
                        "track": "inbound",
                        "chunk": str(i + 1),
                        "timestamp": str(i * 20),
                        "payload": payload,
                    },
                }
            )
        )
    return out


async def _call(base: str, http: httpx.AsyncClient, k: int, stream: tuple[str, list[str]]) -> dict:
    call_sid = "CA" + uuid.uuid4().hex[: 32 - SID_DIGITS] + f"{k:0{SID_DIGITS}x}"
    params = voice_webhook_params(call_sid)
    url = base + "/twilio/voice"
    reply = await http.post(
        url, data=params, headers={"X-Twilio-Signature": sign(TOKEN, url, params)}
    )
    reply.raise_for_status()
    target = parse_twiml(reply.text)
    if target.rejected is not None:  # the server is full (voice.capacity): busy, no stream
        return {"sid": call_sid, "clip": k, "refused": target.rejected}
    assert target.url is not None
    stream_sid, media = stream
    frames = len(media)
    headers = {"X-Twilio-Signature": sign(TOKEN, target.url)}
    # no permessage-deflate: Twilio does not negotiate it, and it costs both sides CPU
    async with connect(
        target.url, additional_headers=headers, max_size=2**22, compression=None
    ) as ws:
        await ws.send(dump(Connected()))
        info = StartInfo(
            accountSid="AC" + "0" * 32,
            callSid=call_sid,
            streamSid=stream_sid,
            customParameters=target.parameters,
        )
        await ws.send(dump(Start(sequenceNumber="2", streamSid=stream_sid, start=info)))
        line: collections.deque[list] = collections.deque()  # [mark or None, samples left]
        first_audio = asyncio.Event()

        async def receive() -> None:
            async for raw in ws:
                msg = json.loads(raw)
                event = msg.get("event")
                if event == "media":
                    line.append([None, len(msg["media"]["payload"]) * 3 // 4])
                    first_audio.set()
                elif event == "mark":
                    line.append([msg["mark"]["name"], 0])
                elif event == "clear":
                    for mark, _ in line:  # Twilio returns the marks of cleared audio at once
                        if mark is not None:
                            await echo(mark)
                    line.clear()

        async def echo(mark: str) -> None:
            await ws.send(
                json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": mark}})
            )

        reader = asyncio.create_task(receive())
        await asyncio.wait_for(first_audio.wait(), 10)
        start = time.monotonic()
        for i, message in enumerate(media):
            delay = start + (i + 1) * 0.02 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await ws.send(message)
            budget = FRAME_SAMPLES  # one frame of the agent audio plays at the handset
            while line and (line[0][0] is not None or budget > 0):
                if line[0][0] is not None:
                    await echo(line.popleft()[0])
                    continue
                used = min(line[0][1], budget)
                budget -= used
                line[0][1] -= used
                if line[0][1] == 0:
                    line.popleft()
        await ws.send(
            dump(
                Stop(
                    sequenceNumber=str(frames + 3),
                    streamSid=stream_sid,
                    stop=StopInfo(accountSid="AC" + "0" * 32, callSid=call_sid),
                )
            )
        )
        reader.cancel()
    return {"sid": call_sid, "start": start, "clip": k, "sent": len(media)}


async def run_ws(
    corpus: Path,
    n_calls: int,
    seconds: float,
    port: int,
    ramp_s: float = 0.0,
    loop: str = "uvloop",
    gc: str = "settled",
    max_calls: int | None = None,
) -> dict:
    """One server process, `n_calls` concurrent calls against it; the load.py report row.
    With `max_calls` the server refuses calls past its capacity
    (`voice.capacity`); the report then covers the calls it took."""
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).parent.parent),
        "MAX_CALLS": "off" if max_calls is None else str(max_calls),
    }
    cmd = [sys.executable, str(SERVER), str(corpus), str(port), str(seconds), loop, gc]
    log = (Path(os.environ.get("TMPDIR", "/tmp")) / f"load-ws-server-{port}.log").open("w")
    proc = await asyncio.create_subprocess_exec(
        *cmd, env=env, stdout=log, stderr=log, preexec_fn=_die_with_parent
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            for _ in range(300):  # models load first
                try:
                    if (await http.get(base + "/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            clips = interrupt_clips(corpus)
            mics = [read(corpus / clips[k % len(clips)]["audio"]) for k in range(n_calls)]
            frames = int(seconds * 50)
            # every message of every call is built before the first call, not in its start-up
            sids = ["MZ" + uuid.uuid4().hex for _ in mics]
            streams = [(sid, _media(sid, mic, frames)) for sid, mic in zip(sids, mics, strict=True)]
            first = (await http.get(base + "/load-stats")).json()
            cpu0, loop0 = first["cpu_s"], first["loop_cpu_s"]
            me0 = time.process_time()
            t0 = time.monotonic()
            tasks = []
            # calls connect one after another: 1 ms apart, or spread evenly over `ramp_s`
            gap = max(ramp_s / max(n_calls, 1), 0.001)
            for k in range(n_calls):
                tasks.append(asyncio.create_task(_call(base, http, k, streams[k])))
                await asyncio.sleep(gap)
            done = await asyncio.gather(*tasks, return_exceptions=True)
            calls = [c for c in done if isinstance(c, dict) and "refused" not in c]
            refused = [c for c in done if isinstance(c, dict) and "refused" in c]
            failed = [repr(c) for c in done if not isinstance(c, dict)]
            await asyncio.sleep(0.5)  # frames still in flight when the last call hung up
            wall = time.monotonic() - t0
            stats = (await http.get(base + "/load-stats")).json()
            ready = (await http.get(base + "/ready")).json()
            me = time.process_time()
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        log.close()
    lengths = [len(m) // FRAME_SAMPLES for m in mics]
    row = _report(calls, stats, clips, lengths, stats["cpu_s"] - cpu0, wall)
    decided = sum(len(v) for v in stats["frames"].values())
    # the event loop's own CPU per call-frame, as in-process: what bounds calls per process
    row["loop_cpu_us_per_frame"] = round((stats["loop_cpu_s"] - loop0) / max(decided, 1) * 1e6, 1)
    row["generator_cpu_cores"] = round((me - me0) / wall, 2)  # the load generator's own
    row["failed_calls"] = failed
    row["offered_calls"] = n_calls
    row["refused_calls"] = len(refused)
    row["server_frame_lag_ms"] = ready["frame_lag_ms"]  # as its capacity check saw it, at the end
    return row


def _die_with_parent() -> None:
    """The server gets SIGTERM when the benchmark dies (Linux), so none is left behind."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _report(
    calls: list[dict], stats: dict, clips: list[dict], lengths: list[int], cpu: float, wall: float
) -> dict:
    lags, pauses, seconds, steady = [], [], [], []
    all_up = max(c["start"] for c in calls) if calls else 0.0
    for c in calls:
        frames_in_clip = lengths[c["clip"]]
        clip = clips[c["clip"] % len(clips)]
        rows = stats["frames"].get(c["sid"], [])
        for ts, decided, _ in rows:
            due = c["start"] + (ts + 20) / 1000
            lags.append((decided - due) * 1000)
            seconds.append(ts // 1000)
            steady.append(due > all_up + 1.0)
        # the first pause on the clip's first pass, as in-process
        first = next((ts for ts, _, kind in rows if kind == "Pause"), None)
        if first is not None and first < frames_in_clip * 20 and clip["onset_ms"]:
            pauses.append(first + 20 - clip["onset_ms"])
    arr = np.array(lags) if lags else np.zeros(1)
    sec = np.array(seconds) if seconds else np.zeros(1, int)
    ok = np.array(steady) if steady else np.zeros(1, bool)
    return {
        "calls": len(calls),
        "transport": "ws",
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpu_cores_used": round(cpu / wall, 2),  # the server process
        "frame_lag_ms": _spread(arr, 50, 99) | {"max": round(float(arr.max()), 1)},
        "late_frames": round(float(np.mean(arr > 20.0)), 4),
        # from 1 s after the last call connected: every call streaming, none setting up
        "steady_frame_lag_ms": _spread(arr[ok], 50, 99),
        "steady_late_frames": round(float(np.mean(arr[ok] > 20.0)), 4) if ok.any() else None,
        # p99 by second of the calls: the first seconds overlap the other calls' set-up
        "frame_lag_p99_by_second": [
            _spread(arr[sec == k], 99)["p99"] for k in range(sec.max() + 1)
        ],
        "dropped_frames": sum(c["sent"] for c in calls) - len(lags),  # sent, never decided
        "pause_latency_ms": _spread(np.array(pauses), 50, 95),
        "silero_mean_batch": stats["silero_mean_batch"],
        "gc": stats["gc"],  # the server's collections during the calls
        "recognitions": len(stats["recognition_ms"]),
        "recognition_ms": _spread(np.array(stats["recognition_ms"]), 50, 95),
    }


def _spread(x: np.ndarray, *qs: int) -> dict[str, float | None]:
    return {f"p{q}": round(float(np.percentile(x, q)), 1) if len(x) else None for q in qs}
