"""OpenAI-style HTTP transcription (`POST {base}/audio/transcriptions`), behind `Recognizer`.

The endpoint takes whole files, so streaming and end of turn come from the same Silero
`SegmentingStream` as the offline recognizer; each finished utterance is uploaded as a WAV.
Works with any server speaking that API (OPENAI_BASE_URL), e.g. a self-hosted Whisper server.
"""

from __future__ import annotations

import httpx
import numpy as np

from voice.errors import SpeechError
from voice.speech import Transcript
from voice.speech_config import SpeechSettings
from voice.stt.stream import SegmentingStream
from voice.stt.wav import wav_bytes


class OpenAIRecognizer:
    """`Recognizer` and `SegmentRecognizer` over the OpenAI transcription API."""

    def __init__(self, settings: SpeechSettings) -> None:
        if not settings.openai_api_key:
            raise SpeechError("SWITCHBOARD_STT=openai needs OPENAI_API_KEY")
        self.settings = settings
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:  # created lazily: it binds to the running loop's transports
            self._client = httpx.AsyncClient(
                base_url=self.settings.openai_base_url.rstrip("/"),
                headers={"Authorization": f"Bearer {self.settings.openai_api_key}"},
                timeout=self.settings.request_timeout_s,
            )
        return self._client

    def open(self) -> SegmentingStream:
        return SegmentingStream(
            self,
            settings=self.settings.endpoint,
            partial_interval_ms=self.settings.partial_interval_ms,
        )

    async def decode(self, pcm: np.ndarray) -> str:
        if len(pcm) < 800:
            return ""
        try:
            resp = await self._http().post(
                "/audio/transcriptions",
                files={"file": ("utterance.wav", wav_bytes(pcm), "audio/wav")},
                data={
                    "model": self.settings.openai_stt_model,
                    "language": "en",
                    "response_format": "json",
                },
            )
            resp.raise_for_status()
            return str(resp.json().get("text", "")).strip()
        except (httpx.HTTPError, ValueError) as exc:
            raise SpeechError(f"OpenAI transcription failed: {exc!r}") from exc

    async def transcribe(self, pcm: np.ndarray) -> str:
        return await self.decode(pcm)

    async def recognize(self, pcm: np.ndarray) -> Transcript:
        return Transcript(text=await self.decode(pcm), final=True)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


__all__ = ["OpenAIRecognizer"]
