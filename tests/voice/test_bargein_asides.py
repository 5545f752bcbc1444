"""What the caller says under the agent's voice: which finals are turns (`voice.bargein_asides`),
and which sounds are the agent's own echo before the canceller has looked for it."""

from __future__ import annotations

from voice.bargein_asides import Asides
from voice.bargein_settings import BargeInSettings
from voice.speech import Transcript

S = BargeInSettings()
FILLER = S.backchannels | S.function_words


def final(text: str, start_ms: int | None, end_ms: int | None) -> Transcript:
    return Transcript(text=text, final=True, speech_start_ms=start_ms, speech_end_ms=end_ms)


def sound(asides: Asides, start_ms: int, end_ms: int) -> None:
    """The controller's energy detector heard the caller from start_ms to end_ms."""
    for t in range(start_ms + 20, end_ms + 1, 20):
        asides.sound(t)


def test_a_backchannel_inside_a_resumed_candidate_is_not_a_turn() -> None:
    asides = Asides()
    asides.record(1000, 1500, confirmed=False, reason="ended")
    assert not asides.is_turn(final("Yeah.", 1050, 1300), not_a_request=FILLER)
    assert not asides.is_turn(final("Mm-hmm, right.", 1050, 1300), not_a_request=FILLER)
    assert not asides.is_turn(final("So,", 1050, 1300), not_a_request=FILLER)


def test_words_with_a_request_stay_a_turn_even_when_resumed() -> None:
    # a turn the controller missed is answered once the reply ends, never dropped
    asides = Asides()
    asides.record(1000, 2200, confirmed=False, reason="not a turn")
    assert asides.is_turn(final("Can I move it to Friday?", 1050, 2100), not_a_request=FILLER)


def test_audio_only_resumes_drop_whatever_was_written_for_them() -> None:
    # a cough resumed as "not speech": Whisper's "That's it!" for it is not a request
    asides = Asides()
    asides.record(700, 1100, confirmed=False, reason="not speech")
    assert not asides.is_turn(final("That's it!", 720, 1000), not_a_request=FILLER)
    # but not when another candidate it overlaps was resumed on the words
    asides.record(1150, 1600, confirmed=False, reason="not a turn")
    assert asides.is_turn(final("That's it!", 720, 1500), not_a_request=FILLER)


def test_a_confirmed_candidate_or_speech_outside_the_candidates_is_a_turn() -> None:
    asides = Asides()
    asides.record(1000, 1300, confirmed=True, reason="turn")
    assert asides.is_turn(final("Yes.", 1050, 1250), not_a_request=FILLER)
    asides = Asides()
    asides.record(1000, 1300, confirmed=False, reason="ended")
    assert asides.is_turn(final("Yes.", 5000, 5300), not_a_request=FILLER)  # no candidate
    # "yes" under the agent, then (the reply over) the caller went on talking
    sound(asides, 1040, 1280)
    sound(asides, 1900, 2600)
    assert asides.is_turn(final("Yes, and Friday too.", 1050, 2600), not_a_request=FILLER)
    # ...or had begun talking before it, which the controller was not listening to
    asides = Asides()
    asides.record(1000, 1300, confirmed=False, reason="ended")
    sound(asides, 300, 1280)
    assert asides.is_turn(final("Well, yes.", 320, 1250), not_a_request=FILLER)


def test_a_final_reaching_over_a_quiet_line_stays_with_its_candidate() -> None:
    # the recogniser opened its utterance on faint line noise 600 ms before a cough (Silero
    # 0.57 on -60 dBFS): its edges are far outside the candidate, but nothing was heard there
    for talked_before in (False, True):
        asides = Asides()
        if talked_before:  # the same span with the caller talking in it is a turn
            sound(asides, 500, 800)
        sound(asides, 1120, 1320)
        asides.record(1140, 1360, confirmed=False, reason="not speech")
        sound(asides, 1500, 1560)  # the cough's second, shorter burst after the resume
        assert asides.is_turn(final("Stop!", 510, 1700), not_a_request=FILLER) is talked_before


def test_sound_too_old_to_be_kept_counts_as_the_caller_talking() -> None:
    asides = Asides(keep_sounds=2)
    asides.record(5000, 5300, confirmed=False, reason="not speech")
    for start in (1000, 3000, 5000):
        sound(asides, start, start + 200)  # three runs: the first is forgotten
    assert asides.is_turn(final("Stop!", 1000, 5200), not_a_request=FILLER)
    assert not asides.is_turn(final("Stop!", 4900, 5200), not_a_request=FILLER)


def test_sound_runs_bridge_one_quiet_frame() -> None:
    asides = Asides()
    for t in (20, 40, 80, 100, 160):
        asides.sound(t)
    assert [list(r) for r in asides.sounds] == [[0, 100], [140, 160]]


def test_a_final_the_recogniser_cannot_place_is_a_turn() -> None:
    asides = Asides()
    asides.record(1000, 1300, confirmed=False, reason="ended")
    assert asides.is_turn(final("Yes.", None, 1200), not_a_request=FILLER)
    assert asides.is_turn(final("Yes.", 1050, None), not_a_request=FILLER)


def test_only_the_latest_candidates_are_kept() -> None:
    asides = Asides(keep=2)
    for start in (1000, 3000, 5000):
        asides.record(start, start + 400, confirmed=False, reason="ended")
    assert asides.is_turn(final("Yeah.", 1050, 1300), not_a_request=FILLER)  # forgotten
    assert not asides.is_turn(final("Yeah.", 5050, 5300), not_a_request=FILLER)


def test_a_final_the_candidate_check_heard_no_request_on_is_not_a_turn() -> None:
    # a cough resumed as "not a turn": the candidate check (which trusts words only where
    # Whisper says "speech") found no request, while the call's recogniser wrote "Stop!"
    after = S.words_after_ms
    asides = Asides()
    heard_nothing = {"words_ready": 1, "content_words": 0, "voiced_ms": 320}
    asides.resumed(700, 1400, "not a turn", heard_nothing, words_after_ms=after)
    assert not asides.is_turn(final("Stop!", 720, 1200), not_a_request=FILLER)
    # words asked for that never landed say nothing: a request stays a turn
    asides = Asides()
    not_landed = {"words_ready": 0, "content_words": 0, "voiced_ms": after}
    asides.resumed(700, 1400, "not a turn", not_landed, words_after_ms=after)
    assert asides.is_turn(final("Stop!", 720, 1200), not_a_request=FILLER)
    # nor when the check heard a request on it
    asides = Asides()
    heard_request = {"words_ready": 1, "content_words": 2, "voiced_ms": 640}
    asides.resumed(700, 1400, "not a turn", heard_request, words_after_ms=after)
    assert asides.is_turn(final("Move it to Friday", 720, 1200), not_a_request=FILLER)


def test_a_final_on_a_candidate_with_too_little_voice_for_words_is_not_a_turn() -> None:
    # a cough the scorer resumed (CI, a slow box): Silero heard under `words_after_ms` of voice
    # on it, so its words were never asked for, while the call's recogniser wrote "I'm sorry."
    after = S.words_after_ms
    asides = Asides()
    little_voice = {"words_ready": 0, "content_words": 0, "voiced_ms": after - 32}
    asides.resumed(1080, 2060, "not a turn", little_voice, words_after_ms=after)
    assert not asides.is_turn(final("I'm sorry.", 1100, 1700), not_a_request=FILLER)
    # the caller who goes on talking past it still takes the turn
    sound(asides, 2300, 3400)
    assert asides.is_turn(final("I'm sorry, can I move it?", 1100, 3400), not_a_request=FILLER)


def test_candidates_close_together_cover_their_shared_stretch_once() -> None:
    # widened by the grace the two candidates overlap (1100-1600): counted twice, the sound
    # inside them would cancel the 200 ms the caller went on talking after them
    asides = Asides()
    sound(asides, 1000, 1700)
    asides.record(1000, 1300, confirmed=False, reason="not speech")
    asides.record(1400, 1700, confirmed=False, reason="not speech")
    assert not asides.is_turn(final("Stop!", 1000, 1700), not_a_request=FILLER)
    sound(asides, 2000, 2200)
    assert asides.is_turn(final("Stop! Move it.", 1000, 2200), not_a_request=FILLER)
