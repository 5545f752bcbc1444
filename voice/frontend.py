"""Per-frame detectors for every call at once: echo cancelling, energy, DTMF.

Run call by call, the detectors cost ~50 small numpy operations per 20 ms frame, and at 100
calls numpy's per-call overhead alone outgrows a core. So frames are queued with their call's
state, and once per event-loop iteration (every call whose frame arrived in that iteration)
they are processed as one (calls x 160) matrix: the band filter of the echo reference, the
echo paths' FIRs, the levels and the DTMF tone powers are each one vectorised operation. Only
the echo-path searches (one call in ten per frame, spread over calls) and the noise-floor
updates stay per call. Results match the scalar `EchoCanceller`/`EnergyVad`/`dtmf.detect`.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from voice.aec import _BAND, FAR_ON, EchoCanceller, search_many
from voice.bargein_features import FrameShape, frame_shapes
from voice.codec import FRAME_MS, FRAME_SAMPLES
from voice.dtmf import _BASIS, _WINDOW_POWER, DtmfSettings
from voice.eventloop import fail_waiting
from voice.vad import EnergySettings

log = logging.getLogger(__name__)
_RATE_S = 1.0  # the frame rate that decides a batching hold is measured over this long
# the band filter as a (history + frame, frame) Toeplitz matrix: one BLAS product for a whole
# batch, ~5x faster than a product over strided windows (which numpy cannot hand to BLAS)
_BAND_TOEPLITZ = np.zeros((FRAME_SAMPLES + len(_BAND) - 1, FRAME_SAMPLES))
for _j in range(FRAME_SAMPLES):
    _BAND_TOEPLITZ[_j : _j + len(_BAND), _j] = _BAND[::-1]
# real and imaginary parts side by side: a real (frames x 160) @ (160 x 16) product is BLAS-fast,
# where a complex basis would first copy every frame to complex
_BASIS_RI = np.ascontiguousarray(np.concatenate([_BASIS.real, _BASIS.imag]).T)


@dataclass(slots=True)
class CallFront:
    """One call's detector state."""

    aec: EchoCanceller = field(default_factory=EchoCanceller)
    floor_db: float | None = None
    want_shape: bool | None = False
    """Measure the next frame's shape (`FrameShape`, for the barge-in check): True always (a
    candidate is open), None only if the energy detector fires on it, False never (nobody is
    listening for barge-in)."""
    last_pcm: np.ndarray | None = None  # the previous echo-cancelled frame (shape windows)
    far_recent: list[float] = field(default_factory=list)
    """Levels of the agent audio's last frames (dB) until the canceller has judged the line:
    an echo may be of anything sent within the longest echo delay."""


class FrontFrame(NamedTuple):
    """What the detectors say about one frame (a tuple: built for every frame of every call,
    and a frozen dataclass's __init__ costs ~4x as much)."""

    pcm: np.ndarray  # int16, echo removed
    level_db: float  # of the echo-cancelled frame
    floor_db: float
    active: bool  # energy detector, on the echo-cancelled frame
    dtmf: bool  # keypad tones fill the (raw) frame
    far_db: float
    coherence: float  # the call's echo-path correlation (0..1)
    echo_searched: bool = True  # the canceller has looked for the agent's echo on this call
    far_peak_db: float = -120.0  # loudest agent audio within the longest echo delay, until then
    shape: FrameShape | None = None  # of the last 40 ms, if asked for (`CallFront.want_shape`)


@dataclass(slots=True)
class _Batch:
    """One batch between its two halves (the echo-path searches may run in between)."""

    items: list[tuple[CallFront, np.ndarray, np.ndarray]]
    mic: np.ndarray  # (calls, 160) float, the raw caller frames
    far: np.ndarray  # (calls, 160) float, the agent audio
    due: list[int]  # rows whose echo-path search is due on this frame


class SharedFrontEnd:
    """Queues frames from many calls; processes each event-loop iteration's frames together.

    The echo-path searches (a few FFTs and a small least-squares fit per call, every 400-800
    ms) run on a worker thread: the frames that wait for one are finished when it is done,
    the rest of the batch at once, so a burst of searches never stalls the loop."""

    def __init__(
        self,
        energy: EnergySettings | None = None,
        dtmf: DtmfSettings | None = None,
        *,
        hold_ms: float = 0.0,
        hold_from_calls: int = 0,
    ) -> None:
        self.energy = energy or EnergySettings()
        self.dtmf = dtmf or DtmfSettings()
        self.hold_s = hold_ms / 1000.0
        """How long the first queued frame waits for others to join its batch (0: until the
        end of the event-loop iteration)..."""
        self.hold_from = hold_from_calls * 1000 // FRAME_MS
        """...once frames arrive at least this fast (frames a second; 0: always). Over a
        WebSocket each call's frame comes in an event-loop iteration of its own, so without a
        hold a batch is one or two frames and the vectorised detectors cost what the per-call
        ones would: at 40 calls a 4 ms hold cut the loop's CPU per frame by a quarter. A few
        calls gain nothing from it, and wait for it."""
        self._rate = 0.0  # frames a second, over the last `_RATE_S`
        self._counted = 0
        self._count_from: float | None = None
        self._queue: list[tuple[CallFront, np.ndarray, np.ndarray, asyncio.Future[FrontFrame]]]
        self._queue = []
        self._scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._searcher: ThreadPoolExecutor | None = None
        self.batches = 0
        self.frames = 0

    async def analyse(self, call: CallFront, mic: np.ndarray, far: np.ndarray) -> FrontFrame:
        """One 20 ms frame of caller audio `mic` and the agent audio `far` (int16)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a batch left behind by a finished loop (a test's) is void
            self._loop, self._queue, self._scheduled = loop, [], False
        fut: asyncio.Future[FrontFrame] = loop.create_future()
        self._queue.append((call, mic, far, fut))
        if not self._scheduled:
            self._scheduled = True
            if self.holding:
                loop.call_later(self.hold_s, self._flush)
            else:
                loop.call_soon(self._flush)  # after every frame already due in this iteration
        return await fut

    @property
    def holding(self) -> bool:
        """Does a batch wait `hold_ms` for more calls' frames (frames arrive fast enough)?"""
        return self.hold_s > 0 and self._rate >= self.hold_from

    def _count(self, frames: int, now: float) -> None:
        """Measure the frame rate (over `_RATE_S`) that decides the batching hold."""
        self._counted += frames
        if self._count_from is None:
            self._count_from = now
        elif now - self._count_from >= _RATE_S:
            self._rate = self._counted / (now - self._count_from)
            self._counted, self._count_from = 0, now

    def _flush(self) -> None:
        queue, self._queue, self._scheduled = self._queue, [], False
        futs = [q[3] for q in queue]
        if self.hold_s > 0:
            self._count(len(queue), asyncio.get_running_loop().time())
        try:
            batch = self._begin([(c, m, f) for c, m, f, _ in queue])
            due = set(batch.due)
            self._settle(batch, [i for i in range(len(queue)) if i not in due], futs)
        except Exception as exc:  # fail the waiting frames, not the loop
            fail_waiting(futs, exc)
            return
        if not batch.due:
            return
        if self._searcher is None:
            self._searcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aec-search")
        loop = asyncio.get_running_loop()
        cancellers = [batch.items[i][0].aec for i in batch.due]
        done = loop.run_in_executor(self._searcher, search_many, cancellers)
        done.add_done_callback(lambda f: self._searched(f, batch, futs))

    def _searched(self, done: asyncio.Future[None], batch: _Batch, futs: list) -> None:
        waiting = [futs[i] for i in batch.due]
        try:
            done.result()
            self._settle(batch, batch.due, futs)
        except Exception as exc:
            fail_waiting(waiting, exc)

    def _settle(self, batch: _Batch, rows: list[int], futs: list) -> None:
        for i, result in zip(rows, self._finish(batch, rows), strict=True):
            if not futs[i].done():
                futs[i].set_result(result)

    def process(self, items: list[tuple[CallFront, np.ndarray, np.ndarray]]) -> list[FrontFrame]:
        """Synchronous batch step (also what the benchmarks and tests call)."""
        if not items:
            return []
        batch = self._begin(items)
        if batch.due:
            search_many([items[i][0].aec for i in batch.due])
        return self._finish(batch, list(range(len(items))))

    def _begin(self, items: list[tuple[CallFront, np.ndarray, np.ndarray]]) -> _Batch:
        """Band-limit the echo references and advance every call's echo canceller."""
        self.batches += 1
        self.frames += len(items)
        n, b = FRAME_SAMPLES, len(items)
        mic = np.array([m for _, m, _ in items], np.float64) / 32768.0
        far = np.array([f for _, _, f in items], np.float64) / 32768.0
        keep = len(_BAND) - 1  # reference history the band filter needs in front of a frame
        raw = np.empty((b, n + keep))
        raw[:, keep:] = far
        for i, (call, _, _) in enumerate(items):
            raw[i, :keep] = call.aec.history()
        banded = raw @ _BAND_TOEPLITZ
        talking = (np.einsum("ij,ij->i", banded, banded) > FAR_ON * n).tolist()
        due = [
            i
            for i, (call, _, _) in enumerate(items)
            if call.aec.take(mic[i], raw[i], banded[i], talking[i])
        ]
        return _Batch(items=items, mic=mic, far=far, due=due)

    def _finish(self, batch: _Batch, rows: list[int]) -> list[FrontFrame]:
        """Subtract each call's echo and measure the frames of `rows`."""
        if not rows:
            return []
        n = FRAME_SAMPLES
        calls = [batch.items[i][0] for i in rows]
        whole = len(rows) == len(batch.items)
        mic = batch.mic if whole else batch.mic[rows]
        far = batch.far if whole else batch.far[rows]
        echo = np.zeros((len(rows), n))
        with_path: list[int] = []
        segments: list[np.ndarray] = []
        firs: list[np.ndarray] = []
        for i, call in enumerate(calls):
            seg = call.aec.reference(n)
            if seg is not None:
                with_path.append(i)
                segments.append(seg)
                firs.append(call.aec.fir)
        if with_path:
            segs = np.array(segments)
            taps = len(firs[0])
            step = segs.strides[1]
            windows = np.ndarray((len(segs), n, taps), segs.dtype, segs, 0, (*segs.strides, step))
            echo[with_path] = np.einsum("bnk,bk->bn", windows, np.array(firs)[:, ::-1])
        # np.clip's wrappers cost more than the two ufuncs it runs
        pcm = np.minimum(np.maximum((mic - echo) * 32768.0, -32768), 32767).astype(np.int16)
        # levels of the cleaned frames (what the rest of the pipeline hears), of the agent audio
        # and of the raw frames (for DTMF), in one pass over the three stacked
        k = len(rows)
        energy = np.add.reduce(np.square(np.concatenate([pcm / 32768.0, far, mic])), axis=1)
        db = 10.0 * np.log10(energy / n + 1e-12)
        level, far_db = db[:k].tolist(), db[k : 2 * k].tolist()
        tones = self._dtmf(mic, energy[2 * k :], db[2 * k :]).tolist()
        e = self.energy
        rise, fall, over, min_db = e.floor_rise_db, e.floor_fall, e.over_floor_db, e.min_level_db
        active: list[bool] = []
        floors: list[float] = []
        for i, call in enumerate(calls):
            lv = level[i]
            floor = call.floor_db
            if floor is None:
                floor = lv
            elif lv < floor:
                floor += fall * (lv - floor)
            else:
                floor = min(lv, floor + rise)
            call.floor_db = floor
            floors.append(floor)
            active.append(lv > floor + over and lv > min_db)
        shapes = self._shapes(calls, pcm, active)
        out = []
        for i, call in enumerate(calls):
            searched = call.aec.searched
            peak = -120.0
            if not searched:  # a call's first moments only
                span = call.aec.settings.max_delay_ms // FRAME_MS  # the longest echo delay
                call.far_recent = [*call.far_recent[-span:], far_db[i]]
                peak = max(call.far_recent)
            out.append(
                FrontFrame(
                    pcm=pcm[i],
                    level_db=level[i],
                    floor_db=floors[i],
                    active=active[i],
                    dtmf=tones[i],
                    far_db=far_db[i],
                    coherence=call.aec.coherence,
                    echo_searched=searched,
                    far_peak_db=peak,
                    shape=shapes.get(i),
                )
            )
            call.last_pcm = pcm[i]
        return out

    @staticmethod
    def _shapes(
        calls: list[CallFront], pcm: np.ndarray, active: list[bool]
    ) -> dict[int, FrameShape]:
        """The shapes the calls asked for, over each one's previous frame and this one."""
        rows = [
            i
            for i, call in enumerate(calls)
            if call.last_pcm is not None
            and (call.want_shape or (call.want_shape is None and active[i]))
        ]
        if not rows:
            return {}
        windows = np.concatenate([np.array([calls[i].last_pcm for i in rows]), pcm[rows]], axis=1)
        period, flat = frame_shapes(windows)
        return {
            i: FrameShape(p, f)
            for i, p, f in zip(rows, period.tolist(), flat.tolist(), strict=True)
        }

    def _dtmf(self, x: np.ndarray, energy: np.ndarray, level: np.ndarray) -> np.ndarray:
        """Which frames are keypad tones (same rule as `voice.dtmf.detect`), vectorised;
        `energy` and `level` (dB) are the frames' own."""
        s = self.dtmf
        ri = x @ _BASIS_RI  # (frames, 16)
        p = ri[:, :8] ** 2 + ri[:, 8:] ** 2  # tone powers, (frames, 8)
        pr, pc = p[:, :4].max(axis=1), p[:, 4:].max(axis=1)
        share = (pr + pc) * 2.0 / _WINDOW_POWER / np.maximum(energy, 1e-18)
        tonal = share >= s.min_tone_share
        if not tonal.any():  # nearly every frame: the level and twist tests are moot
            return tonal
        loud = level >= s.min_level_db
        twist = np.abs(10 * np.log10((pr + 1e-18) / (pc + 1e-18)))
        return loud & (energy > 0) & tonal & (twist <= s.max_twist_db)


def limit_blas_threads() -> None:
    """One BLAS thread for the whole process. numpy's OpenBLAS otherwise starts a thread per
    core, and its threads spin after every product: with many calls on two cores they took a
    core from the event loop (100 calls: p99 lag 170 ms with them, 22 ms without). The calls
    are the parallelism; Silero and Whisper keep their own (single-thread) pools."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - then OPENBLAS_NUM_THREADS=1 does the same
        log.warning("threadpoolctl is missing: set OPENBLAS_NUM_THREADS=1 for many calls")
        return
    threadpool_limits(limits=1, user_api="blas")


HOLD_MS = 4.0
HOLD_FROM_CALLS = 20
"""The server's batching hold: 4 ms once 20 or more calls stream (`SharedFrontEnd`)."""
_shared: SharedFrontEnd | None = None


def shared_frontend() -> SharedFrontEnd:
    """The process-wide front end (created on first use; limits BLAS to one thread)."""
    global _shared
    if _shared is None:
        limit_blas_threads()
        _shared = SharedFrontEnd(hold_ms=HOLD_MS, hold_from_calls=HOLD_FROM_CALLS)
    return _shared


__all__ = ["CallFront", "FrontFrame", "SharedFrontEnd", "limit_blas_threads", "shared_frontend"]
