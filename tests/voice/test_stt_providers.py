"""The streaming STT provider adapters against local servers that speak the providers' wire
formats (Deepgram-style websocket + pre-recorded HTTP, OpenAI-style transcriptions HTTP)."""

from __future__ import annotations

import asyncio
import io
import json
from dataclasses import dataclass, field

import numpy as np
import pytest
import soundfile as sf
from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse

from switchboard.testing.live import serve
from tests.voice.speech_fixtures import caller_line_fixture  # noqa: F401 - fixture
from voice.errors import SpeechError
from voice.speech_config import SpeechSettings
from voice.stt import DeepgramRecognizer, OpenAIRecognizer, make_recognizer

KEY = "test-key-123"


@dataclass
class Seen:
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    audio_bytes: int = 0
    control: list[dict] = field(default_factory=list)
    uploads: list[dict] = field(default_factory=list)


def deepgram_app(seen: Seen) -> FastAPI:
    app = FastAPI()

    def results(
        text: str, *, is_final: bool, speech_final: bool = False, first_word_s: float = 0.0
    ) -> str:
        alt: dict[str, object] = {"transcript": text, "confidence": 0.9}
        if first_word_s:  # Deepgram's word timings (seconds of audio sent)
            alt["words"] = [{"word": text.split()[0], "start": first_word_s, "end": 0.9}]
        return json.dumps(
            {
                "type": "Results",
                "channel": {"alternatives": [alt]},
                "is_final": is_final,
                "speech_final": speech_final,
                "start": 0.5,
                "duration": 1.25,
            }
        )

    @app.websocket("/v1/listen")
    async def listen(ws: WebSocket) -> None:
        seen.headers = dict(ws.headers)
        seen.query = dict(ws.query_params)
        await ws.accept()
        script = [
            (3200, [results("book a", is_final=False)]),
            (6400, [results("book a visit", is_final=True, first_word_s=0.62)]),
            (9600, [results("for tuesday", is_final=True, speech_final=True)]),
            (12800, [results("cancel", is_final=True)]),
            (16000, [json.dumps({"type": "UtteranceEnd", "last_word_end": 2.5})]),
        ]
        try:
            while True:
                msg = await ws.receive()
                if msg.get("bytes"):
                    seen.audio_bytes += len(msg["bytes"])
                    while script and seen.audio_bytes >= script[0][0]:
                        for text in script.pop(0)[1]:
                            await ws.send_text(text)
                elif msg.get("text"):
                    seen.control.append(json.loads(msg["text"]))
                    if seen.control[-1].get("type") == "CloseStream":
                        await ws.close()
                        return
                elif msg["type"] == "websocket.disconnect":
                    return
        except WebSocketDisconnect:
            return

    @app.post("/v1/listen")
    async def prerecorded(request: Request) -> JSONResponse:
        seen.headers = dict(request.headers)
        pcm, rate = sf.read(io.BytesIO(await request.body()), dtype="int16")
        seen.uploads.append({"rate": rate, "samples": len(pcm)})
        alt = {"transcript": "mm-hmm", "confidence": 0.8}
        return JSONResponse({"results": {"channels": [{"alternatives": [alt]}]}})

    return app


def openai_app(seen: Seen, *, fail: bool = False) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/audio/transcriptions")
    async def transcriptions(request: Request) -> JSONResponse:
        seen.headers = dict(request.headers)
        form = await request.form()
        upload = form["file"]
        pcm, rate = sf.read(io.BytesIO(await upload.read()), dtype="int16")  # type: ignore[union-attr]
        seen.uploads.append(
            {"model": form["model"], "language": form["language"], "rate": rate, "n": len(pcm)}
        )
        if fail:
            return JSONResponse({"error": {"message": "overloaded"}}, status_code=503)
        return JSONResponse({"text": " I need to reschedule. "})

    return app


def ws_url(http_url: str) -> str:
    return http_url.replace("http://", "ws://") + "/v1/listen"


def frames(seconds: float, *, amplitude: int = 3000) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    audio = (rng.standard_normal(int(8000 * seconds)) * amplitude).astype(np.int16)
    return [audio[i : i + 160] for i in range(0, len(audio), 160)]


async def test_deepgram_stream_partials_finals_and_utterance_end() -> None:
    seen = Seen()
    async with serve(deepgram_app(seen)) as url:
        settings = SpeechSettings(
            stt="deepgram",
            deepgram_api_key=KEY,
            deepgram_url=ws_url(url),
        )
        stream = make_recognizer(settings).open()
        got = []
        for frame in frames(1.2):
            got += await stream.feed(frame)
        # the last server messages may still be in flight: quiet frames collect them
        for frame in frames(4.0, amplitude=0):
            got += await stream.feed(frame)
            if len([t for t in got if t.final]) == 2:
                break
            await asyncio.sleep(0.01)
        await stream.close()
    assert seen.headers["authorization"] == f"Token {KEY}"
    assert seen.query["encoding"] == "linear16" and seen.query["sample_rate"] == "8000"
    assert seen.query["interim_results"] == "true"
    partials = [t.text for t in got if not t.final]
    finals = [t for t in got if t.final]
    assert partials[0] == "book a"
    assert [t.text for t in finals] == ["book a visit for tuesday", "cancel"]
    assert finals[0].speech_end_ms == 1750 and finals[0].endpoint_at is not None
    assert finals[1].speech_end_ms == 2500
    # where speech began: the first word's start, else the first final result's start
    assert [t.speech_start_ms for t in finals] == [620, 500]
    assert {"type": "CloseStream"} in seen.control


async def test_deepgram_one_shot_transcribe_uses_prerecorded_http() -> None:
    seen = Seen()
    async with serve(deepgram_app(seen)) as url:
        rec = DeepgramRecognizer(SpeechSettings(deepgram_api_key=KEY, deepgram_url=ws_url(url)))
        text = await rec.transcribe(np.concatenate(frames(0.5)))
    assert text == "mm-hmm"
    assert seen.uploads == [{"rate": 8000, "samples": 4000}]
    assert seen.headers["authorization"] == f"Token {KEY}"


async def test_deepgram_connect_failure_is_a_speech_error() -> None:
    settings = SpeechSettings(deepgram_api_key=KEY, deepgram_url="ws://127.0.0.1:9/v1/listen")
    stream = DeepgramRecognizer(settings).open()
    with pytest.raises(SpeechError):
        await stream.feed(frames(0.02)[0])
    await stream.close()


async def test_openai_transcribe_uploads_wav_with_model_and_key() -> None:
    seen = Seen()
    async with serve(openai_app(seen)) as url:
        rec = OpenAIRecognizer(SpeechSettings(openai_api_key=KEY, openai_base_url=url + "/v1"))
        text = await rec.transcribe(np.concatenate(frames(0.6)))
        final = await rec.recognize(np.concatenate(frames(0.6)))
        await rec.aclose()
    assert text == "I need to reschedule." and final.final and final.text == text
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.uploads[0] == {
        "model": "gpt-4o-mini-transcribe",
        "language": "en",
        "rate": 8000,
        "n": 4800,
    }


async def test_openai_error_status_is_a_speech_error() -> None:
    seen = Seen()
    async with serve(openai_app(seen, fail=True)) as url:
        rec = OpenAIRecognizer(SpeechSettings(openai_api_key=KEY, openai_base_url=url + "/v1"))
        with pytest.raises(SpeechError, match="503"):
            await rec.transcribe(np.concatenate(frames(0.6)))
        await rec.aclose()
    assert len(seen.uploads) == 1


@pytest.mark.slow
async def test_openai_stream_ends_turn_with_silero_and_uploads_the_utterance(
    caller_line: np.ndarray,
) -> None:
    seen = Seen()
    async with serve(openai_app(seen)) as url:
        rec = OpenAIRecognizer(SpeechSettings(openai_api_key=KEY, openai_base_url=url + "/v1"))
        stream = rec.open()
        audio = np.concatenate([np.zeros(4000, np.int16), caller_line, np.zeros(8000, np.int16)])
        got = []
        for i in range(0, len(audio), 160):
            got += await stream.feed(audio[i : i + 160])
        await stream.close()
        await rec.aclose()
    finals = [t for t in got if t.final]
    assert [t.text for t in finals] == ["I need to reschedule."]
    # the upload is the utterance (with preroll), not the leading silence
    assert len(caller_line) <= seen.uploads[0]["n"] <= len(caller_line) + 8000
