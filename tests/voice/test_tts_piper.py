"""The offline synthesizer with the real piper voice, checked by ear (the real Whisper model)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.voice.speech_fixtures import LoopTicks
from voice.speech_config import SpeechSettings
from voice.stt import WhisperRecognizer
from voice.tts import PiperSynthesizer, default_synthesizer

pytestmark = pytest.mark.slow

REPLY = "Your appointment is on Tuesday. Is there anything else I can help with?"


async def test_synthesize_yields_8khz_int16_chunks_sentence_by_sentence() -> None:
    synth = default_synthesizer(SpeechSettings())
    assert isinstance(synth, PiperSynthesizer)
    chunks = [c async for c in synth.synthesize(REPLY)]
    assert all(c.dtype == np.int16 and 0 < len(c) <= 1600 for c in chunks)
    pcm = np.concatenate(chunks)
    assert 2.0 < len(pcm) / 8000 < 8.0  # two sentences of speech
    assert np.abs(pcm).max() > 3000  # audible, not silence


async def test_synthesis_runs_off_the_event_loop() -> None:
    synth = PiperSynthesizer()
    await synth.warm_up()
    async with LoopTicks() as loop:
        chunks = [c async for c in synth.synthesize(REPLY)]
    assert chunks and loop.ticks >= 1


async def test_whisper_understands_the_piper_voice() -> None:
    quiet = np.zeros(2400, np.int16)  # a caller's line starts and ends in quiet, as on a call
    said = "I need to reschedule my appointment for Thursday."
    line = PiperSynthesizer().synthesize_whole_sync(said)
    text = (await WhisperRecognizer().transcribe(np.concatenate([quiet, line, quiet]))).lower()
    # piper's voice varies run to run; these words came through in 12 of 12 tries
    assert {"reschedule", "appointment", "thursday"} <= set(text.strip(".").split())


async def test_empty_text_yields_nothing() -> None:
    assert [c async for c in PiperSynthesizer().synthesize("   ")] == []


async def test_the_deterministic_voice_says_a_line_the_same_way_every_time() -> None:
    said = "My name is Dana Whitfield."
    natural = PiperSynthesizer()
    fixed = PiperSynthesizer(SpeechSettings(piper_deterministic=True))
    # the voice's own noise: two takes of one line differ (length or samples)
    a, b = natural.synthesize_whole_sync(said), natural.synthesize_whole_sync(said)
    assert len(a) != len(b) or not np.array_equal(a, b)
    c, d = fixed.synthesize_whole_sync(said), fixed.synthesize_whole_sync(said)
    assert np.array_equal(c, d)
    assert "whitfield" in (await WhisperRecognizer().transcribe(c)).lower()


async def test_the_simulated_caller_speaks_with_the_deterministic_voice() -> None:
    from switchboard.testing import caller_synthesizer

    caller = caller_synthesizer(SpeechSettings())
    assert isinstance(caller, PiperSynthesizer) and caller.settings.piper_deterministic
