"""Deepgram-style streaming recognition over a websocket, behind `Recognizer`.

Audio goes up as raw linear16 8 kHz binary messages; the provider sends `Results` (interim and
`is_final` pieces; `speech_final` when its endpointer decides the turn is over) and
`UtteranceEnd` (a backstop when trailing noise kept `speech_final` from firing). One-shot
`transcribe` uses the same provider's pre-recorded HTTP endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import numpy as np
import websockets
from websockets.asyncio.client import ClientConnection

from voice.errors import SpeechError
from voice.speech import Transcript
from voice.speech_config import SpeechSettings
from voice.stt.wav import wav_bytes

log = logging.getLogger(__name__)


class DeepgramStream:
    """One call's websocket; `feed` sends audio and returns what arrived since the last call."""

    def __init__(self, settings: SpeechSettings) -> None:
        self.settings = settings
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._ready: list[Transcript] = []
        self._pieces: list[str] = []  # is_final pieces of the current utterance
        self._start_ms: int | None = None  # where the current utterance's speech began
        self._closed = False

    def _url(self) -> str:
        s = self.settings
        query = {
            "model": s.deepgram_model,
            "encoding": "linear16",
            "sample_rate": 8000,
            "channels": 1,
            "interim_results": "true",
            "punctuate": "true",
            "endpointing": s.endpoint.silence_ms,
            "utterance_end_ms": max(1000, s.endpoint.silence_ms * 2),
            "vad_events": "true",
        }
        return f"{s.deepgram_url}?{urlencode(query)}"

    async def _connect(self) -> ClientConnection:
        if self._ws is None:
            try:
                self._ws = await websockets.connect(
                    self._url(),
                    additional_headers={"Authorization": f"Token {self.settings.deepgram_api_key}"},
                    open_timeout=self.settings.request_timeout_s,
                )
            except (OSError, websockets.WebSocketException) as exc:
                raise SpeechError(f"Deepgram connect failed: {exc!r}") from exc
            self._reader = asyncio.get_running_loop().create_task(self._read(self._ws))
        return self._ws

    async def feed(self, pcm: np.ndarray) -> list[Transcript]:
        if self._closed or len(pcm) == 0:  # an empty binary message means "close" to the provider
            out, self._ready = self._ready, []
            return out
        ws = await self._connect()
        try:
            await ws.send(np.asarray(pcm, "<i2").tobytes())
        except websockets.ConnectionClosed as exc:
            raise SpeechError(f"Deepgram stream closed: {exc!r}") from exc
        out, self._ready = self._ready, []
        return out

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                if isinstance(raw, str):
                    self._on_message(json.loads(raw))
        except (websockets.ConnectionClosed, json.JSONDecodeError) as exc:
            if not self._closed:
                log.warning("deepgram: stream ended: %r", exc)

    def _on_message(self, msg: dict) -> None:
        kind = msg.get("type")
        if kind == "Results":
            alts = (msg.get("channel") or {}).get("alternatives") or [{}]
            text = str(alts[0].get("transcript") or "").strip()
            if msg.get("is_final"):
                if text:
                    if not self._pieces:  # the utterance's first words: where its speech began
                        words = alts[0].get("words") or [{}]
                        start_s = words[0].get("start", msg.get("start", 0.0))
                        self._start_ms = int(float(start_s) * 1000)
                    self._pieces.append(text)
                if msg.get("speech_final"):
                    end_s = float(msg.get("start", 0.0)) + float(msg.get("duration", 0.0))
                    self._emit_final(int(end_s * 1000))
            elif text:
                self._ready.append(Transcript(text=" ".join([*self._pieces, text]), final=False))
        elif kind == "UtteranceEnd":
            self._emit_final(int(float(msg.get("last_word_end", 0.0)) * 1000) or None)

    def _emit_final(self, speech_end_ms: int | None) -> None:
        if not self._pieces:
            return
        text, self._pieces = " ".join(self._pieces), []
        final = Transcript(
            text=text,
            final=True,
            speech_end_ms=speech_end_ms,
            speech_start_ms=self._start_ms,
            endpoint_at=time.monotonic(),
        )
        self._ready.append(final)

    async def close(self) -> None:
        self._closed = True
        if self._ws is not None:
            with contextlib.suppress(websockets.WebSocketException, OSError):
                await self._ws.send(json.dumps({"type": "CloseStream"}))
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader


class DeepgramRecognizer:
    """`Recognizer` (websocket per call) and `SegmentRecognizer` (pre-recorded HTTP)."""

    def __init__(self, settings: SpeechSettings) -> None:
        if not settings.deepgram_api_key:
            raise SpeechError("SWITCHBOARD_STT=deepgram needs DEEPGRAM_API_KEY")
        self.settings = settings

    def open(self) -> DeepgramStream:
        return DeepgramStream(self.settings)

    def _http_url(self) -> str:
        parts = urlsplit(self.settings.deepgram_url)
        scheme = {"wss": "https", "ws": "http"}.get(parts.scheme, parts.scheme)
        query = urlencode({"model": self.settings.deepgram_model, "punctuate": "true"})
        return urlunsplit((scheme, parts.netloc, parts.path, query, ""))

    async def transcribe(self, pcm: np.ndarray) -> str:
        try:
            async with httpx.AsyncClient(timeout=self.settings.request_timeout_s) as client:
                resp = await client.post(
                    self._http_url(),
                    content=wav_bytes(pcm),
                    headers={
                        "Authorization": f"Token {self.settings.deepgram_api_key}",
                        "Content-Type": "audio/wav",
                    },
                )
            resp.raise_for_status()
            channels = resp.json()["results"]["channels"]
            return str(channels[0]["alternatives"][0]["transcript"]).strip()
        except (httpx.HTTPError, KeyError, IndexError, ValueError) as exc:
            raise SpeechError(f"Deepgram transcription failed: {exc!r}") from exc

    async def recognize(self, pcm: np.ndarray) -> Transcript:
        return Transcript(text=await self.transcribe(pcm), final=True)


__all__ = ["DeepgramRecognizer", "DeepgramStream"]
