"""`bench/load.py --transport ws`: the same load against one real server process on loopback.

`serve` runs the FastAPI app of `voice.app` under uvicorn on 127.0.0.1 in its own process, with
the real backplane (Redis at REDIS_URL), the stream handler, the call loop, outbound playout
and the barge-in hooks (`voice.bargein_hooks.BargeInHooks`: shared Silero, batched detectors,
short-context Whisper on candidates). The call's brain and voice are fixed so that only the
frame path is measured: each call's agent says one line whose audio is its clip's
`agent_audio` (the caller's echo in the clip is of that audio), and the call's own streaming
recogniser hears nothing (its Whisper would otherwise dominate the CPU of a load test). A
wrapper around each call's controller records when every frame's decision was made.

The load generator (`run_ws`, in the benchmark's process) speaks Twilio's side: the signed
Voice webhook, a signed stream upgrade, then per call one pre-built `media` message every 20 ms
(the clip's frames start when the agent's first audio arrives, as a caller's echo would),
marks echoed as the agent audio "plays", `clear` honoured. Lag is a frame's decision time
minus the time the generator sent it (both CLOCK_MONOTONIC, shared by the two processes), so
it includes the socket, the server's frame parsing and queueing.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import json
import os
import resource
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np

if __name__ == "__main__":  # run as a script, bench/backplane.py would shadow the package
    here = Path(__file__).parent.resolve()
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.insert(0, str(here.parent))

import soundfile as sf
from websockets.asyncio.client import connect

from switchboard.testing.twiml import parse_twiml, sign
from voice.codec import FRAME_SAMPLES, pcm_to_ulaw
from voice.hooks import InboundFrame, PlayoutControl
from voice.messages import Connected, Start, StartInfo, Stop, StopInfo, dump
from voice.speech import Transcript

TOKEN = "load-bench-token"
_SID_DIGITS = 8  # the clip index rides in the last hex digits of the CallSid


def _clip_of(call_sid: str) -> int:
    return int(call_sid[-_SID_DIGITS:], 16)


# -- the server process -----------------------------------------------------------------------
class _ClipAgent:
    """Says one line: its clip's agent audio (see `_ClipVoice`)."""

    def __init__(self, clip: int) -> None:
        self.clip = clip

    async def greeting(self) -> AsyncIterator[str]:
        yield f"clip {self.clip}"

    async def respond(self, caller_text: str) -> AsyncIterator[str]:
        return
        yield ""

    async def on_interrupted(self, heard_text: str) -> None:
        return None


class _ClipVoice:
    """`Synthesizer` whose "speech" for "clip K" is clip K's agent audio, tiled to the run."""

    def __init__(self, audio: list[np.ndarray]) -> None:
        self.audio = audio

    async def synthesize(self, text: str) -> AsyncIterator[np.ndarray]:
        yield self.audio[int(text.split()[-1]) % len(self.audio)]


class _Deaf:
    """`Recognizer` that hears nothing (the call's STT is not what this benchmark measures)."""

    def open(self) -> _Deaf:
        return self

    async def feed(self, pcm: np.ndarray) -> list[Transcript]:
        return []

    async def close(self) -> None:
        return None


class _Timed:
    """Wraps one call's controller; notes when each frame's decision was made."""

    def __init__(self, inner: Any, log: list[tuple[int, float, str]]) -> None:
        self.inner = inner
        self.log = log

    async def on_frame(self, frame: InboundFrame, playout: PlayoutControl) -> Any:
        action = await self.inner.on_frame(frame, playout)
        kind = type(action).__name__ if action is not None else ""
        self.log.append((frame.timestamp_ms, time.monotonic(), kind))
        return action

    def __getattr__(self, name: str) -> Any:  # on_transcript, on_dtmf: the controller's
        return getattr(self.inner, name)


def serve(corpus: Path, port: int, seconds: float) -> None:
    """Run the voice app on 127.0.0.1:`port` until killed."""
    import uvicorn

    from backplane import Backplane
    from voice.app import VoiceServer, create_app
    from voice.bargein_hooks import BargeInHooks
    from voice.config import WS_MAX_BYTES, VoiceSettings
    from voice.frontend import limit_blas_threads

    limit_blas_threads()  # as the first barge-in controller would, but before the models load
    clips = _clips(corpus)
    tile = int(seconds * 8000) + 8000
    audio = [np.resize(_read(corpus / c["agent_audio"]), tile) for c in clips]
    frames: dict[str, list[tuple[int, float, str]]] = collections.defaultdict(list)
    hooks = BargeInHooks()

    def timed(session_id: str) -> _Timed:
        return _Timed(hooks(session_id), frames[session_id])

    async def agents(session: Any, *, resumed: bool) -> _ClipAgent:
        return _ClipAgent(_clip_of(session.session_id))

    async def main() -> None:
        await hooks.warm_up()
        backplane = await Backplane.connect()
        settings = VoiceSettings(auth_token=TOKEN, public_base_url=f"http://127.0.0.1:{port}")
        server = VoiceServer(settings=settings, backplane=backplane, agents=agents,
                             recognizer=_Deaf(), synthesizer=_ClipVoice(audio),
                             entry_agent="load", hooks=timed)  # fmt: skip
        app = create_app(server)

        @app.get("/load-stats")
        async def stats() -> dict[str, object]:
            from voice.silero import shared_silero

            use = resource.getrusage(resource.RUSAGE_SELF)
            silero = shared_silero()
            decodes = [d for c in hooks.controllers.values() for d in c.decode_ms]
            return {
                "cpu_s": use.ru_utime + use.ru_stime,
                "frames": frames,
                "silero_mean_batch": round(silero.windows / max(silero.batches, 1), 1),
                "recognition_ms": decodes,
            }

        config = uvicorn.Config(app, host="127.0.0.1", port=port, ws_max_size=WS_MAX_BYTES,
                                log_level="warning", timeout_graceful_shutdown=1)  # fmt: skip
        await uvicorn.Server(config).serve()

    asyncio.run(main())


# -- the load generator -------------------------------------------------------------------------
def _read(path: Path) -> np.ndarray:
    data, _ = sf.read(str(path), dtype="int16")
    return data


def _clips(corpus: Path) -> list[dict]:
    rows = [json.loads(x) for x in (corpus / "manifest.jsonl").read_text().splitlines() if x]
    return [r for r in rows if r["label"] == "interrupt"]


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


async def _call(base: str, http: httpx.AsyncClient, k: int, mic: np.ndarray, frames: int) -> dict:
    call_sid = "CA" + uuid.uuid4().hex[: 32 - _SID_DIGITS] + f"{k:0{_SID_DIGITS}x}"
    params = {
        "CallSid": call_sid,
        "AccountSid": "AC" + "0" * 32,
        "From": "+15551230000",
        "To": "+15559870000",
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }
    url = base + "/twilio/voice"
    reply = await http.post(
        url, data=params, headers={"X-Twilio-Signature": sign(TOKEN, url, params)}
    )
    reply.raise_for_status()
    target = parse_twiml(reply.text)
    assert target.url is not None
    stream_sid = "MZ" + uuid.uuid4().hex
    media = _media(stream_sid, mic, frames)
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


async def run_ws(corpus: Path, n_calls: int, seconds: float, port: int) -> dict:
    """One server process, `n_calls` concurrent calls against it; the load.py report row."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    cmd = [sys.executable, __file__, "serve", str(corpus), str(port), str(seconds)]
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
            clips = _clips(corpus)
            mics = [_read(corpus / clips[k % len(clips)]["audio"]) for k in range(n_calls)]
            cpu0 = (await http.get(base + "/load-stats")).json()["cpu_s"]
            me0 = time.process_time()
            t0 = time.monotonic()
            frames = int(seconds * 50)
            tasks = []
            for k in range(n_calls):  # calls connect one after another, 1 ms apart
                tasks.append(asyncio.create_task(_call(base, http, k, mics[k], frames)))
                await asyncio.sleep(0.001)
            done = await asyncio.gather(*tasks, return_exceptions=True)
            calls = [c for c in done if isinstance(c, dict)]
            failed = [repr(c) for c in done if not isinstance(c, dict)]
            await asyncio.sleep(0.5)  # frames still in flight when the last call hung up
            wall = time.monotonic() - t0
            stats = (await http.get(base + "/load-stats")).json()
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
    row["generator_cpu_cores"] = round((me - me0) / wall, 2)  # the load generator's own
    row["failed_calls"] = failed
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
    for c, frames_in_clip in zip(calls, lengths, strict=True):
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
        "recognitions": len(stats["recognition_ms"]),
        "recognition_ms": _spread(np.array(stats["recognition_ms"]), 50, 95),
    }


def _spread(x: np.ndarray, *qs: int) -> dict[str, float | None]:
    return {f"p{q}": round(float(np.percentile(x, q)), 1) if len(x) else None for q in qs}


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    serve(Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
