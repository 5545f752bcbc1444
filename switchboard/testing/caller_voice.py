"""The simulator's caller voice: the configured TTS, made repeatable where it can be.

The offline piper voice draws random noise on every synthesis, so a scripted line sounded a
little different in each run, and the offline recogniser sometimes heard "Dana Whitfield" as
"dain withyob": a test's outcome hung on a random draw. The caller's voice is the same text,
the same audio; the agent keeps the natural voice.
"""

from __future__ import annotations

from dataclasses import replace

from voice.speech import Synthesizer
from voice.speech_config import SpeechSettings
from voice.tts import make_synthesizer


def caller_synthesizer(settings: SpeechSettings | None = None) -> Synthesizer:
    """The TTS for simulated callers' lines (`settings`: else the environment's)."""
    settings = settings or SpeechSettings.from_env()
    return make_synthesizer(replace(settings, piper_deterministic=True))


__all__ = ["caller_synthesizer"]
