"""Choosing speech adapters by configuration (SpeechSettings), without touching a model."""

from __future__ import annotations

import pytest

from voice.errors import SpeechError
from voice.speech_config import SpeechSettings
from voice.stt import DeepgramRecognizer, OpenAIRecognizer, WhisperRecognizer, make_recognizer
from voice.tts import (
    ElevenLabsSynthesizer,
    OpenAISynthesizer,
    PiperSynthesizer,
    make_synthesizer,
    split_sentences,
)


def test_offline_is_the_default_even_with_provider_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SWITCHBOARD_STT", "SWITCHBOARD_TTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    settings = SpeechSettings.from_env()
    assert isinstance(make_recognizer(settings), WhisperRecognizer)
    assert isinstance(make_synthesizer(settings), PiperSynthesizer)


def test_providers_are_chosen_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_STT", "Deepgram")
    monkeypatch.setenv("SWITCHBOARD_TTS", "elevenlabs")
    monkeypatch.setenv("DEEPGRAM_API_KEY", "dg")
    monkeypatch.setenv("ELEVENLABS_API_KEY", "el")
    monkeypatch.setenv("SWITCHBOARD_EOT_SILENCE_MS", "600")
    settings = SpeechSettings.from_env()
    assert settings.endpoint.silence_ms == 600
    assert isinstance(make_recognizer(settings), DeepgramRecognizer)
    assert isinstance(make_synthesizer(settings), ElevenLabsSynthesizer)
    openai = SpeechSettings(stt="openai", tts="openai", openai_api_key="sk")
    assert isinstance(make_recognizer(openai), OpenAIRecognizer)
    assert isinstance(make_synthesizer(openai), OpenAISynthesizer)


def test_missing_keys_and_unknown_names_fail_loudly() -> None:
    with pytest.raises(SpeechError, match="DEEPGRAM_API_KEY"):
        make_recognizer(SpeechSettings(stt="deepgram"))
    with pytest.raises(SpeechError, match="OPENAI_API_KEY"):
        make_synthesizer(SpeechSettings(tts="openai"))
    with pytest.raises(SpeechError, match="unknown STT"):
        make_recognizer(SpeechSettings(stt="vosk"))
    with pytest.raises(SpeechError, match="unknown TTS"):
        make_synthesizer(SpeechSettings(tts="espeak"))


def test_sentences_split_on_end_punctuation() -> None:
    assert split_sentences("Hi there. Booked for 10:30! Anything else?  ") == [
        "Hi there.",
        "Booked for 10:30!",
        "Anything else?",
    ]
    assert split_sentences("") == []
