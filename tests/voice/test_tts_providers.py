"""The TTS provider adapters against local servers speaking the providers' wire formats
(OpenAI-style streamed PCM over HTTP, ElevenLabs-style stream-input websocket)."""

from __future__ import annotations

import asyncio
import base64
import json

import numpy as np
import pytest
from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import JSONResponse, StreamingResponse

from switchboard.testing.live import serve
from voice.errors import SpeechError
from voice.speech_config import SpeechSettings
from voice.tts import ElevenLabsSynthesizer, OpenAISynthesizer, make_synthesizer

KEY = "test-key-456"


def sine(freq: float, rate: int, seconds: float) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * freq * t) * 12000).astype(np.int16)


def peak_hz(pcm: np.ndarray, rate: int = 8000) -> float:
    spectrum = np.abs(np.fft.rfft(pcm.astype(np.float32)))
    return float(np.fft.rfftfreq(len(pcm), 1 / rate)[spectrum.argmax()])


def openai_app(seen: dict, release: asyncio.Event) -> FastAPI:
    app = FastAPI()
    body = sine(440, 24_000, 1.0).astype("<i2").tobytes()

    @app.post("/v1/audio/speech", response_model=None)
    async def speech(request: Request) -> StreamingResponse | JSONResponse:
        seen["headers"] = dict(request.headers)
        seen["json"] = await request.json()
        if seen["json"]["input"] == "fail":
            return JSONResponse({"error": {"message": "bad voice"}}, status_code=400)

        async def chunks():  # odd sizes: samples split across network chunks
            yield body[:4801]
            await release.wait()  # the rest only after the client has played the first chunk
            for start in range(4801, len(body), 9999):
                yield body[start : start + 9999]

        return StreamingResponse(chunks(), media_type="audio/pcm")

    return app


async def test_openai_speech_streams_resampled_audio_before_the_body_ends() -> None:
    seen: dict = {}
    release = asyncio.Event()
    async with serve(openai_app(seen, release)) as url:
        synth = make_synthesizer(
            SpeechSettings(tts="openai", openai_api_key=KEY, openai_base_url=url + "/v1")
        )
        assert isinstance(synth, OpenAISynthesizer)
        chunks = []
        async for chunk in synth.synthesize("Hello there. How are you?"):
            chunks.append(chunk)
            release.set()  # reached only if a chunk came before the server sent the rest
    pcm = np.concatenate(chunks)
    assert seen["headers"]["authorization"] == f"Bearer {KEY}"
    assert seen["json"] == {
        "model": "gpt-4o-mini-tts",
        "voice": "alloy",
        "input": "Hello there. How are you?",
        "response_format": "pcm",
    }
    assert all(c.dtype == np.int16 and len(c) <= 1600 for c in chunks)
    assert abs(len(pcm) - 8000) <= 16  # 1 s at 24 kHz -> 1 s at 8 kHz
    assert abs(peak_hz(pcm) - 440) < 5


async def test_openai_speech_error_is_a_speech_error() -> None:
    release = asyncio.Event()
    async with serve(openai_app({}, release)) as url:
        synth = OpenAISynthesizer(SpeechSettings(openai_api_key=KEY, openai_base_url=url + "/v1"))
        with pytest.raises(SpeechError, match="400"):
            _ = [c async for c in synth.synthesize("fail")]


def elevenlabs_app(seen: dict) -> FastAPI:
    app = FastAPI()
    audio = sine(300, 8000, 0.5).astype("<i2").tobytes()

    @app.websocket("/v1/text-to-speech/{voice}/stream-input")
    async def stream_input(ws: WebSocket, voice: str) -> None:
        seen["voice"] = voice
        seen["query"] = dict(ws.query_params)
        seen["key"] = ws.headers.get("xi-api-key")
        await ws.accept()
        texts = []
        while True:
            msg = json.loads(await ws.receive_text())
            texts.append(msg["text"])
            if msg["text"] == "":
                break
            if "error" in msg["text"]:
                await ws.send_text(json.dumps({"error": "quota", "message": "out of credits"}))
                await ws.close()
                seen["texts"] = texts
                return
        seen["texts"] = texts
        for start in range(0, len(audio), 1001):  # odd byte counts split samples
            piece = base64.b64encode(audio[start : start + 1001]).decode()
            await ws.send_text(json.dumps({"audio": piece, "isFinal": False}))
        await ws.send_text(json.dumps({"audio": None, "isFinal": True}))

    return app


async def test_elevenlabs_websocket_sends_sentences_and_reassembles_pcm() -> None:
    seen: dict = {}
    async with serve(elevenlabs_app(seen)) as url:
        settings = SpeechSettings(
            elevenlabs_api_key=KEY, elevenlabs_url=url.replace("http://", "ws://")
        )
        chunks = [
            c async for c in ElevenLabsSynthesizer(settings).synthesize("Hi. Booked for two!")
        ]
    pcm = np.concatenate(chunks)
    assert seen["key"] == KEY and seen["voice"] == settings.elevenlabs_voice_id
    assert seen["query"] == {"model_id": "eleven_flash_v2_5", "output_format": "pcm_8000"}
    assert seen["texts"] == [" ", "Hi. ", "Booked for two! ", ""]
    np.testing.assert_array_equal(pcm, sine(300, 8000, 0.5))


async def test_elevenlabs_error_message_is_a_speech_error() -> None:
    seen: dict = {}
    async with serve(elevenlabs_app(seen)) as url:
        settings = SpeechSettings(
            elevenlabs_api_key=KEY, elevenlabs_url=url.replace("http://", "ws://")
        )
        with pytest.raises(SpeechError, match="out of credits"):
            _ = [c async for c in ElevenLabsSynthesizer(settings).synthesize("error please.")]
