"""The simulated handset's line: marks, recording, and the echo it can send back."""

from __future__ import annotations

import numpy as np
import pytest

from switchboard.testing import PhoneLine
from voice.codec import FRAME_SAMPLES, pcm_to_ulaw


def _tone(n: int, hz: float = 1000.0, amp: float = 8000.0) -> np.ndarray:
    return (np.sin(2 * np.pi * hz * np.arange(n) / 8000) * amp).astype(np.int16)


def test_a_quiet_line_carries_only_the_caller() -> None:
    line = PhoneLine()
    line.queue_audio(pcm_to_ulaw(_tone(1600)))
    caller = np.full(FRAME_SAMPLES, 123, np.int16)
    for _ in range(10):
        assert np.array_equal(line.with_echo(caller), caller)
        line.tick(caller)


def test_the_echo_is_the_agent_played_delay_later_attenuated_and_band_limited() -> None:
    line = PhoneLine(echo_db=20.0, echo_delay_ms=60)
    line.queue_audio(pcm_to_ulaw(_tone(8000, hz=1000)))  # in band
    silence = np.zeros(FRAME_SAMPLES, np.int16)
    sent = []
    for _ in range(40):
        sent.append(line.with_echo(silence))
        line.tick(silence)
    heard = np.concatenate(sent).astype(np.float64)
    played = line.agent_audio().astype(np.float64)
    # nothing comes back before the agent's audio has had 60 ms (+ the band filter) to travel
    assert np.abs(heard[:480]).max() == 0
    # then a copy 20 dB down (+/- 1 dB)
    ratio = np.sqrt(np.mean(heard[2000:6000] ** 2) / np.mean(played[2000:6000] ** 2))
    assert 20 * np.log10(ratio) == pytest.approx(-20.0, abs=1.0)
    # band-limited: a 100 Hz hum the agent plays barely comes back
    low = PhoneLine(echo_db=20.0, echo_delay_ms=60)
    low.queue_audio(pcm_to_ulaw(_tone(8000, hz=100)))
    back = []
    for _ in range(40):
        back.append(low.with_echo(silence))
        low.tick(silence)
    hum = np.concatenate(back).astype(np.float64)[2000:6000]
    assert np.sqrt(np.mean(hum**2)) < 0.2 * ratio * 8000 / np.sqrt(2)


def test_an_echo_faster_than_a_frame_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one frame"):
        PhoneLine(echo_db=20.0, echo_delay_ms=10)
