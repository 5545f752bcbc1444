"""Silero VAD through onnxruntime, one session per process shared by every call.

The model file is the one the `silero-vad` package ships; we only locate it (the package's
Python code imports torch, which must never load on the hot path). Each call owns a small
`SileroStream` (recurrent state + 32 samples of context + a partial window); windows from all
calls that are ready at the same moment go through one batched inference on a worker thread,
so the event loop never runs the model and N calls cost one `session.run` per tick, not N.
"""

from __future__ import annotations

import asyncio
import importlib.util
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from voice.errors import VadError
from voice.eventloop import fail_waiting

SAMPLE_RATE = 8000
WINDOW = 256
"""Samples per Silero window at 8 kHz (32 ms)."""
CONTEXT = 32
"""Samples of the previous window the v5 model expects in front of each window at 8 kHz."""
_STATE_SHAPE = (2, 128)
_SCALE = np.float32(1 / 32768)
_Fut = asyncio.Future[list[float]]
_Share = tuple[list[float], int]


def model_path(name: str = "silero_vad.onnx") -> Path:
    """Path of the ONNX file shipped in the `silero-vad` wheel, found without importing it."""
    spec = importlib.util.find_spec("silero_vad")  # a top-level find_spec does not run __init__
    if spec is None or not spec.submodule_search_locations:
        raise VadError("the silero-vad package is not installed")
    for root in spec.submodule_search_locations:
        path = Path(root) / "data" / name
        if path.is_file():
            return path
    raise VadError(f"silero-vad does not ship {name}")


class SileroStream:
    """One call's recurrent state and its partial window.

    The context and the partial window live in one small buffer (context first), so a frame's
    push is a copy into it rather than a few concatenations."""

    __slots__ = ("_buf", "_n", "last_prob", "state")

    def __init__(self) -> None:
        self.state = np.zeros(_STATE_SHAPE, np.float32)
        self._buf = np.zeros(CONTEXT + WINDOW + 2 * 160, np.float32)
        self._n = 0  # samples of the partial window, after the context
        self.last_prob = 0.0

    @property
    def context(self) -> np.ndarray:
        return self._buf[:CONTEXT].copy()

    @property
    def pending(self) -> np.ndarray:
        return self._buf[CONTEXT : CONTEXT + self._n].copy()

    def push(self, pcm: np.ndarray) -> list[np.ndarray]:
        """Add int16 samples; return the complete windows (with context) now ready to score."""
        n = len(pcm)
        end = CONTEXT + self._n
        if end + n > len(self._buf):  # a long push: grow the partial-window room
            self._buf = np.concatenate([self._buf[:end], np.zeros(n + WINDOW, np.float32)])
        np.multiply(pcm, _SCALE, out=self._buf[end : end + n])  # exact: a power of two
        end += n
        out = []
        start = 0
        while end - start >= CONTEXT + WINDOW:
            out.append(self._buf[start : start + CONTEXT + WINDOW].copy())
            start += WINDOW  # the window's last CONTEXT samples are the next one's context
        if start:
            self._buf[: end - start] = self._buf[start:end]
            end -= start
        self._n = end - CONTEXT
        return out

    def reset(self) -> None:
        self.state = np.zeros(_STATE_SHAPE, np.float32)
        self._buf[:] = 0.0
        self._n = 0
        self.last_prob = 0.0


class SileroModel:
    """The ONNX session; `infer` scores one window for each of a batch of streams."""

    def __init__(self, path: Path | None = None, *, threads: int = 1) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(path or model_path()), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self._sr = np.array(SAMPLE_RATE, dtype=np.int64)
        self._lock = threading.Lock()  # one run at a time: the session's threads are the budget

    def infer(self, streams: list[SileroStream], windows: list[np.ndarray]) -> list[float]:
        """Score `windows[i]` for `streams[i]`, advancing each stream's state in place."""
        if not streams:
            return []
        x = np.stack(windows).astype(np.float32, copy=False)
        state = np.stack([s.state for s in streams], axis=1)
        with self._lock:
            prob, new_state = self._session.run(None, {"input": x, "state": state, "sr": self._sr})
        probs = prob[:, 0].tolist()
        new_state = np.array(new_state)  # ours: each stream keeps a view of its row
        for i, s in enumerate(streams):
            s.state = new_state[:, i, :]
            s.last_prob = probs[i]
        return probs

    def score(self, stream: SileroStream, pcm: np.ndarray) -> list[float]:
        """Synchronous helper: push samples for one stream and score what is ready."""
        return [self.infer([stream], [w])[0] for w in stream.push(pcm)]


class SharedSilero:
    """Batches windows from many calls into one inference on a single worker thread.

    Callers `await score(stream, pcm)`; every request that arrives while a batch is running
    joins the next batch. The loop only enqueues and resolves futures.
    """

    def __init__(
        self, model: SileroModel | None = None, *, max_batch: int = 512, tick_ms: float = 8.0
    ) -> None:
        self.model = model or SileroModel()
        self.max_batch = max_batch
        self.tick_s = tick_ms / 1000.0
        """`submit` waits this long before running, so frames of other calls that arrive in
        the same 20 ms period join the batch (one inference per tick, not per call)."""
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="silero")
        # (stream, window, the push's future, its windows' results so far and how many)
        self._queue: list[tuple[SileroStream, np.ndarray, _Fut, _Share | None]] = []
        self._running = False
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.windows = 0

    async def score(self, stream: SileroStream, pcm: np.ndarray) -> list[float]:
        """Push one frame of int16 samples; return the probabilities of the windows it completed."""
        fut = self._enqueue(stream, pcm)
        if fut is None:
            return []
        if not self._running:
            self._running = True
            self._task = asyncio.get_running_loop().create_task(self._drain())
        return await fut

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Forget a batch that belonged to another (finished) event loop, e.g. a test's."""
        if self._loop is not loop:
            self._loop = loop
            self._queue = []
            self._running = False
            self._timer = None

    def submit(self, stream: SileroStream, pcm: np.ndarray) -> _Fut | None:
        """Push one frame without waiting: a future of the probabilities of the windows it
        completed (None if it completed none). Runs on the next tick's batch."""
        fut = self._enqueue(stream, pcm)
        if fut is not None and not self._running and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.tick_s, self._kick)
        return fut

    def _enqueue(self, stream: SileroStream, pcm: np.ndarray) -> _Fut | None:
        # one plain future per push (not one per window gathered): a 20 ms frame completes at
        # most one 32 ms window, and a gather costs the loop a callback per window
        windows = stream.push(pcm)
        if not windows:
            return None
        loop = asyncio.get_running_loop()
        self._bind(loop)
        fut: _Fut = loop.create_future()
        share: _Share | None = ([], len(windows)) if len(windows) > 1 else None
        for w in windows:
            self._queue.append((stream, w, fut, share))
        return fut

    def _kick(self) -> None:
        self._timer = None
        if not self._running and self._queue:
            self._running = True
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                batch, seen = [], set()
                rest = []
                for item in self._queue:
                    # a stream's windows must run in order: at most one per stream per batch
                    if id(item[0]) in seen or len(batch) >= self.max_batch:
                        rest.append(item)
                    else:
                        seen.add(id(item[0]))
                        batch.append(item)
                self._queue = rest
                streams = [b[0] for b in batch]
                windows = [b[1] for b in batch]
                try:
                    probs = await loop.run_in_executor(
                        self._executor, self.model.infer, streams, windows
                    )
                except Exception as exc:  # fail the waiting calls, not the process
                    fail_waiting((fut for _, _, fut, _ in batch), exc)
                    continue
                self.batches += 1
                self.windows += len(batch)
                for (_, _, fut, share), p in zip(batch, probs, strict=True):
                    if fut.done():
                        continue
                    if share is None:
                        fut.set_result([p])
                        continue
                    share[0].append(p)
                    if len(share[0]) == share[1]:
                        fut.set_result(share[0])
        finally:
            self._running = False

    def close(self) -> None:
        """Stop: windows still queued are cancelled (their calls are gone or ending)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        queue, self._queue = self._queue, []
        for _, _, fut, _ in queue:
            fut.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)


_shared: SharedSilero | None = None


def shared_silero() -> SharedSilero:
    """The process-wide batched Silero (created on first use)."""
    global _shared
    if _shared is None:
        _shared = SharedSilero()
    return _shared


__all__ = ["SharedSilero", "SileroModel", "SileroStream", "model_path", "shared_silero"]
