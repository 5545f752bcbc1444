"""Line echo cancellation against what playout sent (the far-end reference).

The server knows every sample it sent, so the agent's own voice coming back down the line can
be predicted and subtracted. The echo path of a phone call is a delayed (tens to hundreds of
ms), attenuated and band-limited copy of the far end: we find its delay by normalised
cross-correlation over the last 400 ms every 200 ms, fit a short FIR around that delay by
regularised least squares, keep it while it explains the microphone, and subtract its
prediction from every frame. Per frame that is one short convolution; the search is amortised.

Why not a packaged AEC: WebRTC's APM (the `livekit` package's `rtc.AudioProcessingModule`,
8 kHz, 10 ms frames) was measured on the barge-in corpus: it removes echo well but its
suppressor attenuated callers talking over the agent by 10-50 dB in its first seconds -- the
moment barge-in happens -- and it costs ~250 us per 20 ms frame. A full adaptive-filter port of
speex's MDF in numpy cost ~300 us/frame and needed careful double-talk control. The
delay+FIR tracker cancels 10-25 dB of line echo at a fraction of that and never touches
near-end speech that the far end does not explain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voice.codec import FRAME_SAMPLES, SAMPLE_RATE


@dataclass(frozen=True, kw_only=True, slots=True)
class AecSettings:
    """Echo canceller tuning."""

    max_delay_ms: int = 400
    """Longest echo round trip searched for."""
    window_ms: int = 400
    """Microphone audio correlated against the far end at each search."""
    search_every: int = 20
    """Frames between delay searches (20 = 400 ms: the search windows tile the signal)."""
    locked_every: int = 2
    """While an echo path is known (a phone line's is stable), search this many times less
    often: the search is most of the canceller's cost."""
    taps: int = 9
    """FIR taps around the found delay (band-limiting and codec smear)."""
    min_coherence: float = 0.3
    """Normalised cross-correlation peak below which no echo path is (re)fitted."""
    min_gain_db: float = 6.0
    """A fitted path is kept only if it lowers the window's energy by at least this much."""
    drop_after: int = 3
    """Searches in a row that fail to fit before a known path is dropped: a phone line's echo
    path is stable, and single fits fail whenever the caller talks over the agent or the
    window straddles a pause (dropping it then let the echo through at every such moment)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class EchoFrame:
    """One cancelled frame and what the canceller knows about it."""

    pcm: np.ndarray  # int16, echo removed
    mic_db: float  # input level, dBFS
    echo_db: float  # level of the predicted (subtracted) echo, dBFS
    residual_db: float  # level after cancellation, dBFS
    far_db: float  # level of the reference frame, dBFS
    coherence: float  # last search's correlation peak with the far end (0..1)


def _band_filter(taps: int = 101) -> np.ndarray:
    """Linear-phase 300-3400 Hz band-pass: every phone line applies one, so the echo carries it."""
    t = np.arange(taps) - (taps - 1) / 2
    lo, hi = 300 / SAMPLE_RATE, 3400 / SAMPLE_RATE
    h = 2 * hi * np.sinc(2 * hi * t) - 2 * lo * np.sinc(2 * lo * t)
    return h * np.hamming(taps)


_BAND = _band_filter()
FAR_ON_DB = -60.0
"""A reference frame this loud or louder has the agent's audio in it (quieter: a pause)."""
FAR_ON = 10 ** (FAR_ON_DB / 10)  # the same as a mean square


def _fast_len(n: int) -> int:
    """Smallest 2^a * 3^b * 5^c >= n: pocketfft is as fast there as at a power of two, and it
    is often much smaller (10240 instead of 16384 for the delay search)."""
    best = 1 << int(np.ceil(np.log2(n)))
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def level_db(x: np.ndarray) -> float:
    """RMS level of float samples in [-1, 1], dBFS (floor -120)."""
    return float(10.0 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-12))


class _History:
    """The last `size` samples of a stream, always contiguous, without a copy per frame: new
    samples are appended to a longer buffer that is compacted once every `spare` frames."""

    __slots__ = ("_buf", "_end", "_size")

    def __init__(self, size: int, spare: int = 32) -> None:
        self._size = size
        self._buf = np.zeros(size + spare * FRAME_SAMPLES, np.float64)
        self._end = size

    def push(self, x: np.ndarray) -> None:
        n = len(x)
        if self._end + n > len(self._buf):
            self._buf[: self._size] = self._buf[self._end - self._size : self._end]
            self._end = self._size
        self._buf[self._end : self._end + n] = x
        self._end += n

    def view(self) -> np.ndarray:
        return self._buf[self._end - self._size : self._end]

    def shift(self, n: int) -> None:
        """Delay the stream by `n` samples: what was said of the last samples belongs `n`
        samples later (its newest `n` are dropped; older kept samples, else silence, move into
        view). A negative `n` advances it (the newest samples are not known yet: silence)."""
        data = self._buf[: self._end]
        data = data[: max(0, len(data) - n)] if n > 0 else np.concatenate([data, np.zeros(-n)])
        tail = data[len(data) - min(len(data), self._size) :].copy()  # data views _buf
        self._buf[:] = 0.0
        self._buf[self._size - len(tail) : self._size] = tail
        self._end = self._size


def search_many(cancellers: list[EchoCanceller]) -> None:
    """Run the due delay searches of many calls, their FFTs batched (same numbers as each
    canceller's own search: the rows are transformed independently)."""
    ready = [(ec, ins) for ec in cancellers if (ins := ec._search_inputs()) is not None]
    by_shape: dict[tuple[int, int], list[tuple[EchoCanceller, tuple]]] = {}
    for ec, ins in ready:
        by_shape.setdefault((len(ins[0]), len(ins[1])), []).append((ec, ins))
    for (_, nf), group in by_shape.items():
        # circular correlation is exact for the lags used (0..nf-nm) once nfft >= nf
        nfft = _fast_len(nf)
        ms = np.stack([ins[0][::-1] for _, ins in group])
        fs = np.stack([ins[1] for _, ins in group])
        c = np.fft.irfft(np.fft.rfft(ms, nfft, axis=1) * np.fft.rfft(fs, nfft, axis=1), nfft)
        for row, (ec, (m, f, energy)) in zip(c, group, strict=True):
            ec._search_finish(row, m, f, energy)


class EchoCanceller:
    """One call's echo canceller: `process(mic, far)` once per 20 ms frame, int16 in and out."""

    def __init__(self, settings: AecSettings | None = None) -> None:
        self.settings = settings or AecSettings()
        s = self.settings
        self._max_lag = s.max_delay_ms * SAMPLE_RATE // 1000
        self._win = s.window_ms * SAMPLE_RATE // 1000
        self._half = s.taps // 2
        self._far = _History(self._max_lag + self._win + s.taps)
        self._mic = _History(self._win)
        self._raw = np.zeros(FRAME_SAMPLES + len(_BAND) - 1, np.float64)
        self._frames = 0
        self._far_active = 0  # bit k: the reference frame k frames ago had the agent's audio
        self._window_frames = self._win // FRAME_SAMPLES
        self._window_mask = (1 << self._window_frames) - 1
        self.delay: int | None = None  # samples, centre of the FIR
        self._h = np.zeros(s.taps, np.float64)
        self._misses = 0  # searches in a row that failed to fit the path
        self._search_next = False  # check the path on the next frame (`realign`)
        self.coherence = 0.0
        self.searched = False
        """A search with the agent talking through at least half its window has found the
        echo path, or found the line does not carry the agent: until then echo is judged by
        level alone (a call's first ~400-800 ms of agent speech)."""

    def process(self, mic: np.ndarray, far: np.ndarray) -> EchoFrame:
        """Cancel the echo of `far` (what was just sent) from `mic`; both int16, one frame.

        `voice.frontend.SharedFrontEnd` does the same for many calls at once (vectorised)."""
        n = FRAME_SAMPLES
        d = mic.astype(np.float64) / 32768.0
        x = far.astype(np.float64) / 32768.0
        raw = np.concatenate([self._raw[n:], x])
        self.advance(d, raw, np.convolve(raw, _BAND, mode="valid"))
        seg = self.reference(n)
        y = np.zeros(n) if seg is None else np.convolve(seg, self._h[::-1], mode="valid")
        e = d - y
        return EchoFrame(
            pcm=np.clip(e * 32768.0, -32768, 32767).astype(np.int16),
            mic_db=level_db(d),
            echo_db=level_db(y),
            residual_db=level_db(e),
            far_db=level_db(x),
            coherence=self.coherence,
        )

    def raw_window(self, x: np.ndarray) -> np.ndarray:
        """The reference samples the band filter needs for this frame (history + `x`)."""
        return np.concatenate([self.history(), x])

    def history(self) -> np.ndarray:
        """The reference samples before this frame that the band filter needs."""
        return self._raw[FRAME_SAMPLES:]

    def advance(self, d: np.ndarray, raw: np.ndarray, banded: np.ndarray) -> None:
        """Take one frame: mic `d`, the reference window `raw` and its band-limited frame."""
        talking = float(np.dot(banded, banded)) > FAR_ON * len(banded)
        if self.take(d, raw, banded, talking):
            self._search()

    def take(self, d: np.ndarray, raw: np.ndarray, banded: np.ndarray, talking: bool) -> bool:
        """`advance` without the delay search (`talking`: the band-limited frame is over
        `FAR_ON`); True when a search is due on this frame (the caller runs it, e.g. batched
        with other calls' by `search_many`)."""
        self._raw = raw
        self._far.push(banded)
        self._mic.push(d)
        self._frames += 1
        self._far_active = ((self._far_active << 1) | talking) & self._window_mask
        every = self.settings.search_every * (self.settings.locked_every if self.delay else 1)
        due = self._frames % every == 0 or self._search_next
        self._search_next = False
        return due and self._frames * FRAME_SAMPLES >= self._win

    def realign(self, samples: int) -> None:
        """The reference given for the frames so far ran `samples` ahead of what was playing
        (negative: behind), and is right from the next frame on (`Playout.take_moved`): shift
        the far-end history to match, so the delay search never correlates two alignments at
        once, and check a known path again on the next frame (it was fitted on one of them).
        Before this, a reply's first mark moved a live call's reference by a frame now and
        then; the greeting's first fit then landed a frame late and let its echo through."""
        if samples == 0:
            return
        self._far.shift(samples)
        # the band filter's tail moves the same way; what rolls round is not known: silence
        self._raw = np.roll(self._raw, samples)
        if samples > 0:
            self._raw[:samples] = 0.0
        else:
            self._raw[samples:] = 0.0
        frames = round(samples / FRAME_SAMPLES)
        active = self._far_active >> frames if frames >= 0 else self._far_active << -frames
        self._far_active = active & self._window_mask
        self._search_next = self.delay is not None

    def reference(self, count: int) -> np.ndarray | None:
        """Band-limited far-end samples that explain the last `count` mic samples (with the
        FIR's history in front), or None while no echo path is known."""
        if self.delay is None:
            return None
        k = len(self._h)
        far = self._far.view()
        end = len(far) - self.delay + self._half
        return far[end - count - k + 1 : end]

    @property
    def fir(self) -> np.ndarray:
        """The echo path's taps, in convolution order."""
        return self._h

    def _search(self) -> None:
        search_many([self])

    def _search_inputs(self) -> tuple[np.ndarray, np.ndarray, float] | None:
        """The mic window, the far-end span it is correlated against and the mic energy, or
        None (coherence 0) when either is silent."""
        m = self._mic.view()
        far = self._far.view()
        f = far[len(far) - self._win - self._max_lag - self._half :]
        f = f[: len(f) - self._half] if self._half else f
        energy = float(np.dot(m, m))
        if energy < 1e-9 or float(np.dot(f, f)) < 1e-9:
            self.coherence = 0.0
            return None
        if self._far_active.bit_count() * 2 < self._window_frames:
            # the agent talked through less than half the window (a reply just began, or it
            # had paused): a correlation over so little of it finds spurious lags, and a path
            # fitted there left a live call's next 400-800 ms of echo uncancelled
            return None
        return m, f, energy

    def _search_finish(self, c: np.ndarray, m: np.ndarray, f: np.ndarray, energy: float) -> None:
        """Pick the delay from the circular cross-correlation `c` and fit the path there."""
        cc = c[len(m) - 1 : len(f)]  # cc[j] = sum_i m[i] f[i + j]
        cs = np.concatenate([[0.0], np.cumsum(f * f)])
        fe = np.sqrt(np.maximum(cs[len(m) :] - cs[: len(cs) - len(m)], 0.0))
        ncc = cc / (fe * np.sqrt(energy) + 1e-12)
        j = int(np.argmax(ncc))
        self.coherence = float(max(0.0, min(1.0, ncc[j])))
        delay = self._max_lag + self._half - j  # samples between a far sample and its echo
        fitted = self._fit(delay) if self.coherence >= self.settings.min_coherence else None
        # judged: the path is known, or the line does not carry the agent. A clear
        # correlation that no path fits yet is not a judgement: a call whose first search went
        # that way sent 400 ms of its greeting's echo, uncancelled, to the recogniser
        # ("We're calling" became a caller turn)
        self.searched = (
            self.searched or fitted is not None or self.coherence < self.settings.min_coherence
        )
        if fitted is not None:
            self.delay, self._h, self._misses = delay, fitted, 0
            return
        # a path that keeps failing to explain the line is dropped: subtracting it would add
        # noise; one failure is usually double-talk or a pause in the window
        self._misses += 1
        if self._misses >= self.settings.drop_after:
            self.delay = None

    def _fit(self, delay: int) -> np.ndarray | None:
        """Least-squares FIR around `delay` over the current window, if it helps enough."""
        k, w = self.settings.taps, self._win
        far, mic = self._far.view(), self._mic.view()
        end = len(far) - delay + self._half
        if end > len(far) or end - w - k + 1 < 0:
            return None
        seg = far[end - w - k + 1 : end]
        cols = np.lib.stride_tricks.sliding_window_view(seg, k)[:, ::-1]  # (w, k)
        a = cols.T @ cols
        lam = 1e-3 * np.trace(a) / k + 1e-12
        h = np.linalg.solve(a + lam * np.eye(k), cols.T @ mic)
        resid = mic - cols @ h
        before, after = np.dot(mic, mic), np.dot(resid, resid)
        gain = 10 * np.log10((before + 1e-12) / (after + 1e-12))
        return h[::-1] if gain >= self.settings.min_gain_db else None


__all__ = [
    "FAR_ON",
    "FAR_ON_DB",
    "AecSettings",
    "EchoCanceller",
    "EchoFrame",
    "level_db",
    "search_many",
]
