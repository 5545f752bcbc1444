"""The simulated handset: plays agent audio on its own clock, echoes marks, records both sides.

Time advances in 20 ms ticks. Each tick the caller's side contributes one frame (speech or
silence) and the agent's side plays up to one frame of queued audio. A mark is echoed once all
audio queued before it has played; `clear` drops queued audio and echoes pending marks at once,
as Twilio does.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from voice.codec import FRAME_SAMPLES, SAMPLE_RATE, ulaw_to_pcm


def _line_band(taps: int = 101) -> np.ndarray:
    """Linear-phase 300-3400 Hz band-pass: handset, speaker and line band-limit an echo (the
    shared corpus builds its echo clips through the same band)."""
    t = np.arange(taps) - (taps - 1) / 2
    lo, hi = 300 / SAMPLE_RATE, 3400 / SAMPLE_RATE
    h = 2 * hi * np.sinc(2 * hi * t) - 2 * lo * np.sinc(2 * lo * t)
    return (h * np.hamming(taps)).astype(np.float32)


_BAND = _line_band()


@dataclass(frozen=True, kw_only=True, slots=True)
class _Audio:
    pcm: np.ndarray


@dataclass(frozen=True, kw_only=True, slots=True)
class _MarkItem:
    name: str


class PhoneLine:
    """Both directions of one simulated call on a shared sample clock.

    `echo_db`: the agent's voice comes back down the line this many dB under what the caller
    hears, `echo_delay_ms` later and band-limited to 300-3400 Hz (a speakerphone, a hybrid in
    the network); None: no echo.
    """

    def __init__(self, *, echo_db: float | None = None, echo_delay_ms: int = 60) -> None:
        if echo_db is not None and echo_delay_ms < FRAME_SAMPLES * 1000 // SAMPLE_RATE:
            raise ValueError("echo_delay_ms must be at least one frame (20 ms)")
        self._echo_gain = None if echo_db is None else 10 ** (-echo_db / 20)
        self._echo_delay = echo_delay_ms * SAMPLE_RATE // 1000
        # agent audio played, newest last: what the echo of the next frame is made of
        self._played = np.zeros(self._echo_delay + len(_BAND) - 1, np.float32)
        self._queue: deque[_Audio | _MarkItem] = deque()
        self._offset = 0  # samples of the head audio item already played
        self.samples = 0  # call clock, in samples since the first tick
        self._caller: list[np.ndarray] = []
        self._agent: list[np.ndarray] = []
        self.agent_started_at: int | None = None  # first agent sample played (call clock)
        self.agent_last_at: int | None = None  # end of the last agent audio played
        self.received_samples = 0

    # -- from the server -------------------------------------------------------------------
    def queue_audio(self, ulaw: bytes) -> None:
        if ulaw:
            self._queue.append(_Audio(pcm=ulaw_to_pcm(ulaw)))
            self.received_samples += len(ulaw)

    def queue_mark(self, name: str) -> list[str]:
        """Queue a mark; returns it at once if nothing is queued ahead of it."""
        if not any(isinstance(item, _Audio) for item in self._queue):
            return [name]
        self._queue.append(_MarkItem(name=name))
        return []

    def clear(self) -> list[str]:
        """Drop queued audio; returns the pending marks to echo now."""
        marks = [item.name for item in self._queue if isinstance(item, _MarkItem)]
        self._queue.clear()
        self._offset = 0
        return marks

    @property
    def agent_queued(self) -> int:
        """Agent samples waiting to play."""
        total = sum(len(i.pcm) for i in self._queue if isinstance(i, _Audio))
        return total - self._offset

    # -- one tick --------------------------------------------------------------------------
    def with_echo(self, caller_pcm: np.ndarray) -> np.ndarray:
        """What the line carries to the server this tick: the caller plus the echo of the
        agent audio played `echo_delay_ms` ago."""
        if self._echo_gain is None:
            return caller_pcm
        span = self._played[: FRAME_SAMPLES + len(_BAND) - 1]
        echo = np.convolve(span, _BAND, mode="valid") * self._echo_gain
        return np.clip(caller_pcm + echo, -32768, 32767).astype(np.int16)

    def tick(self, caller_pcm: np.ndarray) -> list[str]:
        """Advance 20 ms: record the caller frame, play agent audio; returns marks now due."""
        self._caller.append(caller_pcm.astype(np.int16))
        out = np.zeros(FRAME_SAMPLES, np.int16)
        filled = 0
        marks: list[str] = []
        while self._queue:
            head = self._queue[0]
            if isinstance(head, _MarkItem):
                marks.append(head.name)
                self._queue.popleft()
                continue
            if filled == FRAME_SAMPLES:
                break
            take = min(FRAME_SAMPLES - filled, len(head.pcm) - self._offset)
            out[filled : filled + take] = head.pcm[self._offset : self._offset + take]
            filled += take
            self._offset += take
            if self._offset == len(head.pcm):
                self._queue.popleft()
                self._offset = 0
        if filled:
            if self.agent_started_at is None:
                self.agent_started_at = self.samples
            self.agent_last_at = self.samples + filled
        self._agent.append(out)
        if self._echo_gain is not None:
            self._played = np.concatenate([self._played[FRAME_SAMPLES:], out])
        self.samples += FRAME_SAMPLES
        return marks

    def agent_silent_for(self) -> int:
        """Samples since the agent last played audio (call length if it never did)."""
        if self.agent_queued > 0:
            return 0
        return self.samples - (self.agent_last_at or 0)

    # -- recording -------------------------------------------------------------------------
    def write_wav(self, path: str | Path) -> Path:
        """Stereo 8 kHz WAV: left = caller, right = agent as the caller heard it."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        caller = np.concatenate(self._caller) if self._caller else np.zeros(0, np.int16)
        agent = np.concatenate(self._agent) if self._agent else np.zeros(0, np.int16)
        sf.write(path, np.stack([caller, agent], axis=1), SAMPLE_RATE, subtype="PCM_16")
        return path

    def agent_audio(self) -> np.ndarray:
        return np.concatenate(self._agent) if self._agent else np.zeros(0, np.int16)


__all__ = ["PhoneLine"]
