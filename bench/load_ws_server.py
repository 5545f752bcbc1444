"""The server side of `bench/load.py --transport ws`: one real voice server process.

`serve` runs the FastAPI app of `voice.app` under uvicorn on 127.0.0.1 in its own process, with
the real backplane (Redis at REDIS_URL), the stream handler, the call loop, outbound playout
and the barge-in hooks (`voice.bargein_hooks.BargeInHooks`: shared Silero, batched detectors,
short-context Whisper on candidates). The call's brain and voice are fixed so that only the
frame path is measured: each call's agent speaks its clip's `agent_audio` (the caller's echo in
the clip is of that audio), and the call's own streaming recogniser is replaced by a clock that
ends a caller turn every `TURN_S` seconds of audio (its Whisper would otherwise dominate the
CPU of a load test), so after a confirmed barge-in the agent speaks again within `TURN_S`: the
load stays a conversation, as in the in-process run, instead of falling quiet. A
wrapper around each call's controller records when every frame's decision was made.

usage (started by bench/load_ws.py): python bench/load_ws_server.py CORPUS PORT SECONDS [LOOP [GC]]
(LOOP: uvloop, the default, as `switchboard serve` runs, or asyncio; GC: settled, the default,
as `switchboard serve` runs (`voice.heap.settle`), or default)
"""

from __future__ import annotations

import collections
import json
import resource
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np

if __name__ == "__main__":  # run as a script, bench/backplane.py would shadow the package
    here = Path(__file__).parent.resolve()
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.insert(0, str(here.parent))

import soundfile as sf

from voice.hooks import InboundFrame, PlayoutControl
from voice.speech import Transcript

TOKEN = "load-bench-token"
SID_DIGITS = 8  # the clip index rides in the last hex digits of the CallSid


def clip_of(call_sid: str) -> int:
    return int(call_sid[-SID_DIGITS:], 16)


def read(path: Path) -> np.ndarray:
    data, _ = sf.read(str(path), dtype="int16")
    return data


def interrupt_clips(corpus: Path) -> list[dict]:
    rows = [json.loads(x) for x in (corpus / "manifest.jsonl").read_text().splitlines() if x]
    return [r for r in rows if r["label"] == "interrupt"]


class _ClipAgent:
    """Says one line: its clip's agent audio (see `_ClipVoice`)."""

    def __init__(self, clip: int) -> None:
        self.clip = clip

    async def greeting(self) -> AsyncIterator[str]:
        yield f"clip {self.clip}"

    async def respond(self, caller_text: str) -> AsyncIterator[str]:
        yield f"clip {self.clip}"

    async def on_interrupted(self, heard_text: str) -> None:
        return None


class _ClipVoice:
    """`Synthesizer` whose "speech" for "clip K" is clip K's agent audio, tiled to the run."""

    def __init__(self, audio: list[np.ndarray]) -> None:
        self.audio = audio

    async def synthesize(self, text: str) -> AsyncIterator[np.ndarray]:
        yield self.audio[int(text.split()[-1]) % len(self.audio)]


TURN_S = 3.0


class _TurnClock:
    """`Recognizer` that transcribes nothing but ends a caller turn every `TURN_S` seconds of
    audio (the call's STT is not what this benchmark measures; its turns keep the agent
    talking). The call loop queues turns while a reply plays, so the next reply starts as soon
    as a barge-in ends the current one."""

    def __init__(self) -> None:
        self.samples = 0

    def open(self) -> _TurnClock:
        return _TurnClock()

    async def feed(self, pcm: np.ndarray) -> list[Transcript]:
        self.samples += len(pcm)
        if self.samples < TURN_S * 8000:
            return []
        self.samples = 0
        return [Transcript(text="go on", final=True)]

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


def serve(
    corpus: Path, port: int, seconds: float, loop: str = "uvloop", gc: str = "settled"
) -> None:
    """Run the voice app on 127.0.0.1:`port` until killed."""
    import uvicorn

    from backplane import Backplane
    from voice import eventloop, heap
    from voice.app import VoiceServer, create_app
    from voice.bargein_hooks import BargeInHooks
    from voice.config import WS_MAX_BYTES, VoiceSettings
    from voice.frontend import limit_blas_threads

    limit_blas_threads()  # as the first barge-in controller would, but before the models load
    clips = interrupt_clips(corpus)
    tile = int(seconds * 8000) + 8000
    audio = [np.resize(read(corpus / c["agent_audio"]), tile) for c in clips]
    frames: dict[str, list[tuple[int, float, str]]] = collections.defaultdict(list)
    hooks = BargeInHooks()

    def timed(session_id: str) -> _Timed:
        return _Timed(hooks(session_id), frames[session_id])

    async def agents(session: Any, *, resumed: bool) -> _ClipAgent:
        return _ClipAgent(clip_of(session.session_id))

    async def main() -> None:
        await hooks.warm_up()
        backplane = await Backplane.connect()
        # capacity limits (MAX_CALLS, MAX_LOOP_LAG_MS) come from run_ws, as `serve` reads them
        settings = VoiceSettings.from_env(
            auth_token=TOKEN, public_base_url=f"http://127.0.0.1:{port}", validate_signatures=True
        )
        server = VoiceServer(settings=settings, backplane=backplane, agents=agents,
                             recognizer=_TurnClock(), synthesizer=_ClipVoice(audio),
                             entry_agent="load", hooks=timed)  # fmt: skip
        app = create_app(server)
        if gc == "settled":
            heap.settle()
        pauses = heap.PauseLog().install()

        @app.get("/load-stats")
        async def stats() -> dict[str, object]:
            from voice.silero import shared_silero

            use = resource.getrusage(resource.RUSAGE_SELF)
            silero = shared_silero()
            decodes = [d for c in hooks.controllers.values() for d in c.decode_ms]
            return {
                "gc": pauses.drain(),  # each report covers the time since the last one
                "cpu_s": use.ru_utime + use.ru_stime,
                "loop_cpu_s": time.thread_time(),  # the event loop's own thread (this handler's)
                "frames": frames,
                "silero_mean_batch": round(silero.windows / max(silero.batches, 1), 1),
                "recognition_ms": decodes,
            }

        config = uvicorn.Config(app, host="127.0.0.1", port=port, ws_max_size=WS_MAX_BYTES,
                                log_level="warning", timeout_graceful_shutdown=1)  # fmt: skip
        await uvicorn.Server(config).serve()

    eventloop.run(main(), uvloop=loop == "uvloop")


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), *sys.argv[4:6])
