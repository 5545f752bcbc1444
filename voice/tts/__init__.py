"""Text-to-speech adapters behind `voice.speech.Synthesizer`: `synthesize(text)` yields 8 kHz
int16 numpy chunks, the first before the whole reply is synthesised.

`default_synthesizer()` builds the configured one: offline piper unless `SWITCHBOARD_TTS` names
a provider (`openai`, `elevenlabs`). See `voice.speech_config.SpeechSettings`.
"""

from __future__ import annotations

from voice.errors import SpeechError
from voice.speech import Synthesizer
from voice.speech_config import TTS_ENGINES, SpeechSettings
from voice.tts.base import StreamResampler, split_sentences, to_pcm8k
from voice.tts.elevenlabs import ElevenLabsSynthesizer
from voice.tts.openai import OpenAISynthesizer
from voice.tts.piper import PiperSynthesizer


def make_synthesizer(settings: SpeechSettings) -> Synthesizer:
    """The synthesizer `settings.tts` names."""
    if settings.tts == "piper":
        return PiperSynthesizer(settings)
    if settings.tts == "openai":
        return OpenAISynthesizer(settings)
    if settings.tts == "elevenlabs":
        return ElevenLabsSynthesizer(settings)
    raise SpeechError(f"unknown TTS {settings.tts!r}; choose one of {TTS_ENGINES}")


def default_synthesizer(settings: SpeechSettings | None = None) -> Synthesizer:
    """The synthesizer configured by the environment (offline piper by default)."""
    return make_synthesizer(settings or SpeechSettings.from_env())


__all__ = [
    "ElevenLabsSynthesizer",
    "OpenAISynthesizer",
    "PiperSynthesizer",
    "StreamResampler",
    "default_synthesizer",
    "make_synthesizer",
    "split_sentences",
    "to_pcm8k",
]
