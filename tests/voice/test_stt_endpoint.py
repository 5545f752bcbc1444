"""End-of-turn hysteresis over VAD probabilities, and Whisper's repetition-loop cleanup."""

from __future__ import annotations

from voice.speech_config import EndpointSettings
from voice.stt import TurnEvent, VadEndpointer
from voice.stt.repeats import collapse_repeats


def run(det: VadEndpointer, probs: list[float]) -> list[tuple[int, TurnEvent]]:
    out = []
    for i, p in enumerate(probs):
        ev = det.update(p, 32.0)
        if ev is not None:
            out.append((i, ev))
    return out


def test_speech_then_silence_ends_the_turn() -> None:
    det = VadEndpointer(EndpointSettings(min_speech_ms=96, silence_ms=320))
    events = run(det, [0.1] * 5 + [0.9] * 20 + [0.05] * 12)
    assert events == [(7, TurnEvent.SPEECH_STARTED), (34, TurnEvent.END_OF_TURN)]
    assert not det.in_speech


def test_blips_shorter_than_min_speech_are_ignored() -> None:
    det = VadEndpointer(EndpointSettings(min_speech_ms=128))
    assert run(det, [0.9, 0.9, 0.1, 0.9, 0.1] * 10) == []


def test_soft_word_endings_do_not_reset_the_silence_clock_but_dips_do_not_end_it() -> None:
    settings = EndpointSettings(speech_threshold=0.5, min_speech_ms=64, silence_ms=160)
    det = VadEndpointer(settings)
    # 0.4 is under the start threshold but above the stay threshold (0.35): still speech
    events = run(det, [0.9] * 3 + [0.4] * 10 + [0.1] * 4 + [0.9] + [0.1] * 5)
    assert events == [(1, TurnEvent.SPEECH_STARTED), (22, TurnEvent.END_OF_TURN)]


def test_max_utterance_finalises_a_monologue() -> None:
    det = VadEndpointer(EndpointSettings(min_speech_ms=32, max_utterance_ms=320))
    events = run(det, [0.9] * 30)
    assert events[0] == (0, TurnEvent.SPEECH_STARTED)
    assert events[1] == (9, TurnEvent.END_OF_TURN)


def test_repetition_loops_are_collapsed() -> None:
    loop = "Welcome to the directory. " * 4 + "Welcome"
    assert collapse_repeats(loop) == "Welcome to the directory."
    assert collapse_repeats("Sure Sure Sure Sure") == "Sure"
    cut = "I have a question about my bill. I have a question about my bill. I have a"
    assert collapse_repeats(cut) == "I have a question about my bill."
    half = "Hold on. Can I talk to a real person, please? Hold on. Can I talk to a real"
    assert collapse_repeats(half) == "Hold on. Can I talk to a real person, please?"
    tail = "that pin is invalid for this call that pin is invalid for this call for this"
    assert collapse_repeats(tail) == "that pin is invalid for this call"
    mid_word = "My name is Dana Wetfield. My name is Dana Wet"  # cut inside the last word
    assert collapse_repeats(mid_word) == "My name is Dana Wetfield."


def test_ordinary_speech_is_left_alone() -> None:
    for text in ["yeah yeah", "Press 1, 2, and 3.", "no, I said Tuesday, not Thursday", ""]:
        assert collapse_repeats(text) == text
