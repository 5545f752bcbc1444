"""Speech-to-text adapters behind `voice.speech.Recognizer` (streaming, with end of turn) and
`voice.bargein.SegmentRecognizer` (one-shot `transcribe`).

`default_recognizer()` builds the configured one: offline Whisper unless `SWITCHBOARD_STT` names
a provider (`openai`, `deepgram`). See `voice.speech_config.SpeechSettings`.
"""

from __future__ import annotations

from voice.errors import SpeechError
from voice.speech_config import STT_ENGINES, SpeechSettings
from voice.stt.base import SpeechRecognizer
from voice.stt.deepgram import DeepgramRecognizer, DeepgramStream
from voice.stt.endpoint import EndOfTurnDetector, TurnEvent, VadEndpointer
from voice.stt.openai import OpenAIRecognizer
from voice.stt.stream import SegmentingStream, UtteranceDecoder, VadScorer, silero_scorer
from voice.stt.whisper import WhisperRecognizer


def make_recognizer(settings: SpeechSettings) -> SpeechRecognizer:
    """The recognizer `settings.stt` names."""
    if settings.stt == "whisper":
        return WhisperRecognizer(settings)
    if settings.stt == "openai":
        return OpenAIRecognizer(settings)
    if settings.stt == "deepgram":
        return DeepgramRecognizer(settings)
    raise SpeechError(f"unknown STT {settings.stt!r}; choose one of {STT_ENGINES}")


def default_recognizer(settings: SpeechSettings | None = None) -> SpeechRecognizer:
    """The recognizer configured by the environment (offline Whisper by default)."""
    return make_recognizer(settings or SpeechSettings.from_env())


__all__ = [
    "DeepgramRecognizer",
    "DeepgramStream",
    "EndOfTurnDetector",
    "OpenAIRecognizer",
    "SegmentingStream",
    "SpeechRecognizer",
    "TurnEvent",
    "UtteranceDecoder",
    "VadEndpointer",
    "VadScorer",
    "WhisperRecognizer",
    "default_recognizer",
    "make_recognizer",
    "silero_scorer",
]
