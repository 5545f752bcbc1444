"""Agent audio out: synthesise a reply into the playout and pace it to Twilio with marks.

`Outbound` owns one stream's `Playout` and the sender task. `speak()` streams reply text through
TTS into the playout as it arrives (first audio goes out before the reply is fully synthesised);
the sender sends a `media` chunk and a `mark` whenever pacing allows; `pause`/`resume`/`interrupt`
are the barge-in controls (see `voice.hooks.PlayoutControl`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from voice.codec import pcm_to_ulaw
from voice.messages import Clear, Mark, MarkInfo, OutMedia, dump
from voice.playout import Playout, PlayoutState
from voice.speech import Synthesizer

log = logging.getLogger(__name__)

Send = Callable[[str], Awaitable[None]]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


_ABBREVIATIONS = frozenset({"dr.", "mr.", "mrs.", "ms.", "st.", "e.g.", "i.e.", "vs.", "no."})


def split_sentences(text: str) -> list[str]:
    """Split reply text at sentence ends (". ", "? ", "! "), not after "Dr." and the like."""
    out: list[str] = []
    for part in _SENTENCE_END.split(text):
        part = part.strip()
        if not part:
            continue
        if out and out[-1].rsplit(" ", 1)[-1].lower() in _ABBREVIATIONS:
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


class Outbound:
    """Paced, marked agent audio for one Media Stream."""

    def __init__(
        self,
        *,
        stream_sid: str,
        send: Send,
        synthesizer: Synthesizer,
        playout: Playout,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream_sid = stream_sid
        self.playout = playout
        self._send = send
        self._tts = synthesizer
        self._clock = clock
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()  # a mark came back or the state changed
        self.first_audio_at: float | None = None  # when the current reply's first chunk left
        self.first_tts_at: float | None = None
        self.first_text_at: float | None = None

    # -- reply -----------------------------------------------------------------------------
    async def speak(self, texts: AsyncIterator[str]) -> str:
        """Synthesise and play a streamed reply; returns its text once it has fully played."""
        self.playout.start_reply()
        self.first_audio_at = self.first_tts_at = self.first_text_at = None
        spoken: list[str] = []
        first = True
        async for text in texts:
            if not text.strip():
                continue
            if self.first_text_at is None:
                self.first_text_at = self._clock()
            spoken.append(text)
            # Sentence by sentence: the first one plays while the rest is synthesised, and
            # each sentence's text spans exactly its own audio (heard text after barge-in).
            pieces = split_sentences(text)
            if first:
                pieces = _lead_clause(pieces)
                first = False
            for sentence in pieces:
                label = sentence + " "
                async for pcm in self._tts.synthesize(sentence):
                    if self.first_tts_at is None:
                        self.first_tts_at = self._clock()
                    self.playout.add_audio(pcm_to_ulaw(pcm), label)
                    label = ""
                    self._wake.set()
        self.playout.finish_reply()
        self._wake.set()
        await self._played()
        return " ".join(t.strip() for t in spoken)

    async def _played(self) -> None:
        """Wait until every chunk's mark is back; fall back on the clock if marks go missing."""
        while not self.playout.done:
            self._changed.clear()
            if self.playout.send_delay() is None and self.playout.queued_samples == 0:
                grace = 2.0  # all sent and (by estimate) played: marks should be on their way
            else:
                grace = 30.0
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=grace)
            except TimeoutError:
                if self.playout.send_delay() is None and self.playout.queued_samples == 0:
                    log.warning(
                        "stream %s: marks never came back; treating reply as played",
                        self.stream_sid,
                    )
                    self.playout.interrupt()

    # -- sender ----------------------------------------------------------------------------
    async def run(self) -> None:
        """Send chunks as pacing allows, until cancelled."""
        while True:
            delay = self.playout.send_delay()
            if delay is None or delay > 0:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
                except TimeoutError:
                    pass
                continue
            chunk = self.playout.next_chunk()
            if chunk is None:
                continue
            if self.first_audio_at is None:
                self.first_audio_at = self._clock()
            await self._send(dump(OutMedia.of(self.stream_sid, chunk.payload)))
            await self._send(dump(Mark(streamSid=self.stream_sid, mark=MarkInfo(name=chunk.mark))))

    def on_mark(self, name: str) -> None:
        self.playout.on_mark(name)
        self._changed.set()
        self._wake.set()

    # -- barge-in controls -----------------------------------------------------------------
    async def pause(self) -> int:
        if self.playout.state is PlayoutState.PLAYING:
            heard = self.playout.clear()
            await self._send(dump(Clear(streamSid=self.stream_sid)))
            self._changed.set()
            return heard // 8
        return self.playout.heard_ms()

    async def resume(self) -> None:
        if self.playout.state is PlayoutState.PAUSED:
            self.playout.resume()
            self._wake.set()
            self._changed.set()

    async def stop_playing(self) -> str:
        """Drop the rest of the reply (sending `clear` if audio is queued); the heard text."""
        was_playing = self.playout.state is PlayoutState.PLAYING
        heard = self.playout.interrupt()
        if was_playing:
            await self._send(dump(Clear(streamSid=self.stream_sid)))
        self._changed.set()
        return heard


def _lead_clause(sentences: list[str]) -> list[str]:
    """Split a long first sentence after its first comma, so first audio comes sooner."""
    if not sentences:
        return sentences
    head = sentences[0]
    comma = head.find(", ")
    if comma < 0 or len(head.split()) < 7 or len(head[:comma].split()) < 2:
        return sentences
    return [head[: comma + 1], head[comma + 2 :], *sentences[1:]]


__all__ = ["Outbound", "split_sentences"]
