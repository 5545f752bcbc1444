"""What the caller has heard: outbound audio chunks, their marks, and the playout position.

The call loop sends a reply's audio as `media` chunks of ~100 ms, each followed by a `mark`.
Twilio plays at real time and echoes a mark when the audio before it has played (or was
cleared). `Playout` is the bookkeeping, with no I/O: it hands out the next chunk when pacing
allows (at most `max_ahead_ms` queued at Twilio, so a `clear` is cheap and a resume does not
replay stale audio), records returned marks, and estimates the heard position as the end of the
last returned mark plus the playout time elapsed since, never past what was sent. It keeps the
whole reply, so after a `clear` (a tentative barge-in) playback can resume from the heard
position, or the interruption can be confirmed and the heard text handed to the history.
"""

from __future__ import annotations

import enum
import itertools
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from voice.codec import FRAME_SAMPLES, SAMPLE_RATE, silence_ulaw
from voice.errors import PlayoutStateError

_SAMPLES_PER_MS = SAMPLE_RATE // 1000


class PlayoutState(enum.Enum):
    """Lifecycle of the current reply's audio."""

    IDLE = "idle"  # no reply, or the last one has fully played / was interrupted
    PLAYING = "playing"  # audio is (or will be) sent and played
    PAUSED = "paused"  # cleared at Twilio; waiting for resume() or interrupt()


@dataclass(frozen=True, kw_only=True, slots=True)
class PlayoutSettings:
    """Pacing of outbound audio."""

    chunk_ms: int = 100
    """Audio per `media` message; a `mark` follows each, so this is the heard-position grain
    when marks alone are trusted."""
    max_ahead_ms: int = 1000
    """Most audio queued at Twilio beyond the estimated play head."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Chunk:
    """One outbound `media` message and the `mark` that follows it."""

    mark: str
    payload: bytes  # mu-law
    start: int  # sample offsets within the reply
    end: int
    text: str  # the part of the reply text this audio speaks


@dataclass(frozen=True, kw_only=True, slots=True)
class _Segment:
    start: int
    end: int
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class _Outstanding:
    end: int
    sent_at: float
    sent_media_ms: int | None  # the stream's media clock when it was sent


def _word_cut(text: str, fraction: float) -> int:
    """Index in `text` after the last whole word that lies within `fraction` of it."""
    if fraction >= 1.0:
        return len(text)
    if fraction <= 0.0:
        return 0
    limit = int(len(text) * fraction)
    cut = text.rfind(" ", 0, limit + 1)
    return cut + 1 if cut >= 0 else 0


class Playout:
    """Outbound audio bookkeeping for one stream. Not thread-safe; one event loop owns it."""

    def __init__(
        self,
        settings: PlayoutSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or PlayoutSettings()
        self._clock = clock
        self._chunk = max(FRAME_SAMPLES, self.settings.chunk_ms * _SAMPLES_PER_MS)
        self._max_ahead = self.settings.max_ahead_ms * _SAMPLES_PER_MS
        self._reply_ids = itertools.count(1)
        self._marks = itertools.count(1)
        self.media_ms: int | None = None
        """Twilio's media clock: the timestamp of the latest inbound frame (`on_media`)."""
        self._moved = 0  # see `take_moved`
        self._reset(reply=0)

    def _reset(self, *, reply: int) -> None:
        self.reply = reply
        self.state = PlayoutState.IDLE
        self._audio = bytearray()
        self._segments: list[_Segment] = []
        self._complete = False  # no more audio will be added to this reply
        self._sent = 0
        self._acked = 0
        self._acked_at: float | None = None
        self._acked_media_ms: int | None = None
        self._outstanding: OrderedDict[str, _Outstanding] = OrderedDict()
        self._stale: set[str] = set()  # cleared marks whose echo must not count as heard

    # -- filling ---------------------------------------------------------------------------
    def start_reply(self) -> int:
        """Begin a new reply (the previous one is dropped as is); returns its id."""
        stale = self._stale | set(self._outstanding)
        self._reset(reply=next(self._reply_ids))
        self._stale = stale
        self.state = PlayoutState.PLAYING
        return self.reply

    def add_audio(self, ulaw: bytes, text: str = "") -> None:
        """Append synthesised audio for the current reply and the text it speaks."""
        if self.state is PlayoutState.IDLE or self._complete:
            raise PlayoutStateError(self.state.value, "add_audio")
        start = len(self._audio)
        self._audio += ulaw
        last = self._segments[-1] if self._segments else None
        if not text and last is not None and last.end == start:
            # Untexted audio continues the previous text (TTS streams a sentence in pieces).
            self._segments[-1] = _Segment(start=last.start, end=len(self._audio), text=last.text)
        elif text or ulaw:
            self._segments.append(_Segment(start=start, end=len(self._audio), text=text))

    def finish_reply(self) -> None:
        """No more audio for this reply; pads it to whole frames."""
        remainder = len(self._audio) % FRAME_SAMPLES
        if remainder:
            self._audio += silence_ulaw(FRAME_SAMPLES - remainder)
        self._complete = True

    # -- sending ---------------------------------------------------------------------------
    def send_delay(self) -> float | None:
        """Seconds until the next chunk may go (0.0 = now); None when nothing is ready."""
        if self.state is not PlayoutState.PLAYING:
            return None
        size = self._ready_size()
        if size == 0:
            return None
        ahead = self._sent - self.heard_samples()
        excess = ahead + size - self._max_ahead
        return 0.0 if ahead == 0 or excess <= 0 else excess / SAMPLE_RATE

    def _ready_size(self) -> int:
        available = len(self._audio) - self._sent
        if available >= self._chunk or (self._complete and available > 0):
            return min(available, self._chunk)
        # Partial audio: send whole frames now rather than wait, to keep first audio early.
        return (available // FRAME_SAMPLES) * FRAME_SAMPLES

    def next_chunk(self) -> Chunk | None:
        """The chunk to send now, or None if pacing or missing audio says wait."""
        if self.send_delay() != 0.0:
            return None
        start, end = self._sent, self._sent + self._ready_size()
        chunk = Chunk(
            mark=f"r{self.reply}m{next(self._marks)}",
            payload=bytes(self._audio[start:end]),
            start=start,
            end=end,
            text=self.text_between(start, end),
        )
        now = self._clock()
        if not self._outstanding and self._acked_at is None:
            self._acked_at = now  # playback starts when the first chunk arrives
            self._acked_media_ms = self.media_ms
        self._outstanding[chunk.mark] = _Outstanding(
            end=end, sent_at=now, sent_media_ms=self.media_ms
        )
        self._sent = end
        return chunk

    # -- feedback --------------------------------------------------------------------------
    def on_mark(self, name: str) -> bool:
        """A mark came back. Returns True if it advanced the heard position."""
        if name in self._stale:
            self._stale.discard(name)
            return False
        if name not in self._outstanding:
            return False
        now = self._clock()
        before = self.heard_on_media() if self.media_ms is not None else 0
        while self._outstanding:  # marks return in order; earlier ones have played too
            mark, out = self._outstanding.popitem(last=False)
            self._acked = out.end
            if mark == name:
                break
        self._acked_at = now
        self._acked_media_ms = self.media_ms
        if self.media_ms is not None:
            # before a reply's first mark the estimate assumes play began at the media time
            # of the send; a busy server had not read the frames Twilio had already sent, so
            # play began a frame or two later and the estimate ran that far ahead
            self._moved += before - self.heard_on_media()
        if self._complete and not self._outstanding and self._sent >= len(self._audio):
            self.state = PlayoutState.IDLE
        return True

    def take_moved(self) -> int:
        """Samples by which returned marks moved the media-clock estimate back since the last
        call (negative: forward). The echo reference `recent_audio` gave for the frames before
        ran that far ahead of what was playing; the echo canceller realigns its history."""
        moved, self._moved = self._moved, 0
        return moved

    def heard_samples(self) -> int:
        """Estimated samples of this reply the caller has heard, to the sample."""
        if not self._outstanding or self._acked_at is None:
            return self._acked
        first = next(iter(self._outstanding.values()))
        since = max(self._acked_at, first.sent_at)
        played = round((self._clock() - since) * SAMPLE_RATE)
        return min(self._sent, self._acked + max(0, played))

    def on_media(self, timestamp_ms: int) -> None:
        """An inbound frame with this media timestamp arrived (Twilio's clock)."""
        self.media_ms = timestamp_ms

    def heard_on_media(self) -> int:
        """`heard_samples` counted on Twilio's media clock instead of the server's: the
        inbound frames since the last returned mark, not the wall time. Marks and frames
        arrive in the order Twilio produced them, so this keeps a constant offset from the
        true play head, where the wall clock moves it by the server's scheduling jitter at
        every mark (enough to break an echo canceller's fitted path)."""
        if self.media_ms is None:
            return self.heard_samples()
        if not self._outstanding or self._acked_media_ms is None:
            return self._acked
        first = next(iter(self._outstanding.values()))
        since = self._acked_media_ms
        if first.sent_media_ms is not None:
            since = max(since, first.sent_media_ms)
        played = (self.media_ms - since) * _SAMPLES_PER_MS
        return min(self._sent, self._acked + max(0, played))

    def heard_ms(self) -> int:
        return self.heard_samples() // _SAMPLES_PER_MS

    def recent_audio(self, samples: int) -> bytes:
        """mu-law audio played in the last `samples` before the heard position on the media
        clock (b"" if none): the echo canceller's reference for the inbound frame."""
        if self.state is not PlayoutState.PLAYING:
            return b""
        end = self.heard_on_media()
        return bytes(self._audio[max(0, end - samples) : end])

    @property
    def confirmed_samples(self) -> int:
        """Heard position by returned marks alone (conservative)."""
        return self._acked

    @property
    def queued_samples(self) -> int:
        """Audio sent but (by estimate) not yet played."""
        return self._sent - self.heard_samples()

    @property
    def done(self) -> bool:
        """The reply is complete and every sent chunk has played."""
        return self.state is PlayoutState.IDLE

    # -- barge-in --------------------------------------------------------------------------
    def clear(self) -> int:
        """Record a `clear` sent to Twilio: pause at the heard position (frame-aligned)."""
        if self.state is not PlayoutState.PLAYING:
            raise PlayoutStateError(self.state.value, "clear")
        heard = (self.heard_samples() // FRAME_SAMPLES) * FRAME_SAMPLES
        self._stale |= set(self._outstanding)
        self._outstanding.clear()
        self._acked = self._sent = heard
        self._acked_at = None
        self._acked_media_ms = None
        self.state = PlayoutState.PAUSED
        return heard

    def resume(self) -> None:
        """Continue the paused reply from where the caller stopped hearing it."""
        if self.state is not PlayoutState.PAUSED:
            raise PlayoutStateError(self.state.value, "resume")
        self.state = PlayoutState.PLAYING
        if self._complete and self._sent >= len(self._audio):
            self.state = PlayoutState.IDLE

    def interrupt(self) -> str:
        """Confirm the interruption: drop the rest of the reply; returns the heard text."""
        if self.state is PlayoutState.PLAYING:
            self.clear()
        heard = self.heard_text()
        self._audio = self._audio[: self._acked]
        self._complete = True
        self.state = PlayoutState.IDLE
        return heard

    # -- text ------------------------------------------------------------------------------
    def text_between(self, start: int, end: int) -> str:
        """The reply text spoken by samples [start, end), cut at word boundaries."""
        parts: list[str] = []
        for seg in self._segments:
            span = seg.end - seg.start
            if span == 0:  # text without audio belongs to the chunk at its position
                if start <= seg.start < end:
                    parts.append(seg.text)
                continue
            if seg.end <= start:
                continue
            if seg.start >= end:
                break
            lo = _word_cut(seg.text, (start - seg.start) / span)
            hi = _word_cut(seg.text, (end - seg.start) / span)
            if hi > lo:
                parts.append(seg.text[lo:hi])
        return "".join(parts)

    def heard_text(self) -> str:
        """The reply text the caller has heard so far."""
        return self.text_between(0, self.heard_samples()).strip()

    @property
    def reply_text(self) -> str:
        return "".join(seg.text for seg in self._segments).strip()


__all__ = ["Chunk", "Playout", "PlayoutSettings", "PlayoutState"]
