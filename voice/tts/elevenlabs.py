"""ElevenLabs-style websocket synthesis (`/v1/text-to-speech/{voice}/stream-input`).

Text goes up sentence by sentence (the provider starts speaking on the first), audio comes back
as base64 `pcm_8000` in JSON messages until `isFinal`: already the call's format, no resampling.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import numpy as np
import websockets

from voice.errors import SpeechError
from voice.speech_config import SpeechSettings
from voice.tts.base import chunked, split_sentences


class ElevenLabsSynthesizer:
    """`Synthesizer` over the ElevenLabs streaming-input websocket."""

    def __init__(self, settings: SpeechSettings) -> None:
        if not settings.elevenlabs_api_key:
            raise SpeechError("SWITCHBOARD_TTS=elevenlabs needs ELEVENLABS_API_KEY")
        self.settings = settings

    def _url(self) -> str:
        s = self.settings
        query = urlencode({"model_id": s.elevenlabs_model, "output_format": "pcm_8000"})
        path = f"/v1/text-to-speech/{s.elevenlabs_voice_id}/stream-input"
        return f"{s.elevenlabs_url.rstrip('/')}{path}?{query}"

    async def synthesize(self, text: str) -> AsyncIterator[np.ndarray]:
        sentences = split_sentences(text)
        if not sentences:
            return
        s = self.settings
        odd = b""  # a message may end mid-sample
        try:
            async with websockets.connect(
                self._url(),
                additional_headers={"xi-api-key": s.elevenlabs_api_key or ""},
                open_timeout=s.request_timeout_s,
            ) as ws:
                # the first message opens the stream: a single space plus settings
                await ws.send(json.dumps({"text": " ", "voice_settings": {"stability": 0.5}}))
                for sentence in sentences:
                    await ws.send(json.dumps({"text": sentence + " ", "flush": True}))
                await ws.send(json.dumps({"text": ""}))  # end of input
                async for raw in ws:
                    msg = json.loads(raw)
                    if msg.get("error"):
                        raise SpeechError(f"ElevenLabs: {msg.get('error')}: {msg.get('message')}")
                    if msg.get("audio"):
                        data = odd + base64.b64decode(msg["audio"])
                        cut = len(data) - len(data) % 2
                        data, odd = data[:cut], data[cut:]
                        for piece in chunked(np.frombuffer(data, "<i2").astype(np.int16)):
                            yield piece
                    if msg.get("isFinal"):
                        return
        except (OSError, websockets.WebSocketException, ValueError, binascii.Error) as exc:
            raise SpeechError(f"ElevenLabs synthesis failed: {exc!r}") from exc


__all__ = ["ElevenLabsSynthesizer"]
