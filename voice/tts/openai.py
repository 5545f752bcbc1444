"""OpenAI-style HTTP speech (`POST {base}/audio/speech`, raw 24 kHz PCM streamed back).

The response body is read as it arrives and resampled to 8 kHz on the fly, so the first chunk
is yielded after the provider's first bytes, not after the whole reply.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import numpy as np

from voice.errors import SpeechError
from voice.speech_config import SpeechSettings
from voice.tts.base import StreamResampler, chunked

PCM_RATE = 24_000  # what `response_format: pcm` returns: 16-bit little-endian mono


class OpenAISynthesizer:
    """`Synthesizer` over the OpenAI speech API (or any server speaking it)."""

    def __init__(self, settings: SpeechSettings) -> None:
        if not settings.openai_api_key:
            raise SpeechError("SWITCHBOARD_TTS=openai needs OPENAI_API_KEY")
        self.settings = settings

    async def synthesize(self, text: str) -> AsyncIterator[np.ndarray]:
        if not text.strip():
            return
        s = self.settings
        body = {
            "model": s.openai_tts_model,
            "voice": s.openai_tts_voice,
            "input": text,
            "response_format": "pcm",
        }
        resampler = StreamResampler(PCM_RATE)
        try:
            async with (
                httpx.AsyncClient(timeout=s.request_timeout_s) as client,
                client.stream(
                    "POST",
                    f"{s.openai_base_url.rstrip('/')}/audio/speech",
                    json=body,
                    headers={"Authorization": f"Bearer {s.openai_api_key}"},
                ) as resp,
            ):
                if resp.status_code >= 400:
                    await resp.aread()
                    raise SpeechError(f"OpenAI speech failed: {resp.status_code} {resp.text[:200]}")
                async for data in resp.aiter_bytes():
                    pcm = resampler.push(data)
                    for piece in chunked(pcm):
                        yield piece
        except httpx.HTTPError as exc:
            raise SpeechError(f"OpenAI speech failed: {exc!r}") from exc
        tail = resampler.flush()
        if len(tail):
            yield tail


__all__ = ["OpenAISynthesizer"]
