"""Playout bookkeeping: pacing, marks, heard position and text, clear/resume/interrupt."""

from __future__ import annotations

import pytest

from voice.codec import FRAME_SAMPLES, SAMPLE_RATE
from voice.errors import PlayoutStateError
from voice.playout import Playout, PlayoutSettings, PlayoutState


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def audio(ms: int) -> bytes:
    return b"\x10" * (SAMPLE_RATE * ms // 1000)


def make(**kw: int) -> tuple[Playout, Clock]:
    clock = Clock()
    return Playout(PlayoutSettings(**kw), clock=clock), clock


def drain_ready(p: Playout) -> list:
    out = []
    while (chunk := p.next_chunk()) is not None:
        out.append(chunk)
    return out


def test_chunks_carry_marks_and_text_and_stop_at_max_ahead() -> None:
    p, _ = make(chunk_ms=100, max_ahead_ms=1000)
    p.start_reply()
    p.add_audio(audio(2000), "one two three four five six seven eight nine ten")
    p.finish_reply()
    sent = drain_ready(p)
    assert len(sent) == 10  # 1 s ahead, not the whole 2 s reply
    assert all(len(c.payload) == 800 for c in sent)
    assert len({c.mark for c in sent}) == 10
    assert "".join(c.text for c in sent) == "one two three four five "
    assert p.send_delay() == pytest.approx(0.1)


def test_heard_position_is_last_mark_plus_elapsed_and_capped_at_sent() -> None:
    p, clock = make(chunk_ms=100)
    p.start_reply()
    p.add_audio(audio(300), "hello there caller")
    p.finish_reply()
    chunks = drain_ready(p)
    assert p.heard_samples() == 0
    clock.t += 0.05
    assert p.heard_samples() == 400
    clock.t += 0.07
    assert p.on_mark(chunks[0].mark)
    assert p.confirmed_samples == 800
    clock.t += 0.04
    assert p.heard_samples() == 800 + 320
    clock.t += 10
    assert p.heard_samples() == 2400  # never past what was sent
    assert p.heard_text() == "hello there caller"


def test_all_marks_back_finishes_the_reply() -> None:
    p, clock = make(chunk_ms=100)
    p.start_reply()
    p.add_audio(audio(150), "short")  # padded to whole frames on finish
    p.finish_reply()
    chunks = drain_ready(p)
    assert [len(c.payload) for c in chunks] == [800, 480]
    clock.t += 0.2
    for c in chunks:
        p.on_mark(c.mark)
    assert p.done and p.state is PlayoutState.IDLE


def test_partial_tts_audio_goes_out_in_whole_frames() -> None:
    p, _ = make(chunk_ms=100)
    p.start_reply()
    p.add_audio(b"\x10" * (FRAME_SAMPLES * 2 + 50), "a")
    [chunk] = drain_ready(p)
    assert len(chunk.payload) == FRAME_SAMPLES * 2
    assert p.next_chunk() is None and p.send_delay() is None


def test_clear_pauses_at_heard_frame_and_ignores_echoed_marks() -> None:
    p, clock = make(chunk_ms=100)
    p.start_reply()
    p.add_audio(audio(1000), "alpha beta gamma delta epsilon zeta eta theta iota kappa")
    p.finish_reply()
    chunks = drain_ready(p)
    clock.t += 0.25  # 250 ms heard
    heard = p.clear()
    assert heard == 2000 - 2000 % FRAME_SAMPLES == 1920
    assert p.state is PlayoutState.PAUSED
    for c in chunks:  # Twilio echoes pending marks right after a clear
        assert not p.on_mark(c.mark)
    assert p.heard_samples() == 1920
    assert p.heard_text() == "alpha beta"
    p.resume()
    again = p.next_chunk()
    assert again is not None and again.start == 1920


def test_interrupt_returns_heard_text_and_goes_idle() -> None:
    p, clock = make(chunk_ms=100)
    p.start_reply()
    p.add_audio(audio(500), "Your appointment is on Monday. ")
    p.add_audio(audio(500), "Anything else?")
    chunks = drain_ready(p)
    clock.t += 0.1
    p.on_mark(chunks[0].mark)
    clock.t += 0.45
    assert p.interrupt() == "Your appointment is on Monday."
    assert p.state is PlayoutState.IDLE
    assert p.next_chunk() is None


def test_underrun_restarts_the_play_clock_at_send_time() -> None:
    p, clock = make(chunk_ms=100)
    p.start_reply()
    p.add_audio(audio(100), "first ")
    [c1] = drain_ready(p)
    clock.t += 0.1
    p.on_mark(c1.mark)
    clock.t += 1.0  # TTS was slow: nothing queued for a second
    p.add_audio(audio(100), "second")
    drain_ready(p)
    assert p.heard_samples() == 800
    clock.t += 0.05
    assert p.heard_samples() == 1200


def test_invalid_transitions_raise_typed_errors() -> None:
    p, _ = make()
    with pytest.raises(PlayoutStateError):
        p.add_audio(audio(20), "x")
    with pytest.raises(PlayoutStateError):
        p.resume()
    p.start_reply()
    with pytest.raises(PlayoutStateError):
        p.resume()


def test_new_reply_makes_old_marks_stale() -> None:
    p, _ = make()
    p.start_reply()
    p.add_audio(audio(100), "old")
    [old] = drain_ready(p)
    p.start_reply()
    assert not p.on_mark(old.mark)
    assert p.heard_samples() == 0


def test_untexted_audio_extends_the_previous_text() -> None:
    p, clock = make(chunk_ms=100)
    p.start_reply()
    p.add_audio(audio(200), "one two three four ")
    p.add_audio(audio(200))  # the rest of the same sentence
    drain_ready(p)
    clock.t += 0.2
    assert p.heard_text() == "one two"
    assert p.recent_audio(160) == b"\x10" * 160


def test_replies_are_split_into_sentences_for_synthesis() -> None:
    from voice.outbound import split_sentences

    assert split_sentences("Thank you. And your date of birth?  Dr. Lee is in!") == [
        "Thank you.",
        "And your date of birth?",
        "Dr. Lee is in!",
    ]
    assert split_sentences("   ") == []


def test_a_long_first_sentence_is_split_after_its_first_comma() -> None:
    from voice.outbound import _lead_clause

    long = "Hi Dana Whitfield, this is Sam in scheduling."
    assert _lead_clause([long, "What day?"]) == [
        "Hi Dana Whitfield,",
        "this is Sam in scheduling.",
        "What day?",
    ]
    assert _lead_clause(["Thanks, bye."]) == ["Thanks, bye."]


def test_heard_on_the_media_clock_ignores_the_servers_scheduling_jitter() -> None:
    # Twilio plays the reply and returns each 100 ms chunk's mark after its last frame; the
    # server notices the marks late by a varying few ms. Counted on the media clock (inbound
    # frames since the mark), the heard position stays exactly on the frames.
    p, clock = make(chunk_ms=100, max_ahead_ms=1000)
    p.on_media(0)
    p.start_reply()
    p.add_audio(bytes(range(256)) * 40, "hello there")  # 10240 samples: the bytes tell where
    p.finish_reply()
    sent = drain_ready(p)
    jitter = [0.0, 0.004, 0.0007, 0.009, 0.002]
    media, marks = 0, iter(sent)
    for frame in range(25):
        media = frame * 20
        clock.t = 100.0 + media / 1000 + jitter[frame % len(jitter)]
        p.on_media(media)
        if frame and frame % 5 == 0:  # a chunk is 5 frames: its mark arrives after its last
            p.on_mark(next(marks).mark)
        # wall clock: off by the jitter; media clock: exactly the frames since the first send
        assert p.heard_on_media() == frame * FRAME_SAMPLES
        echo = p.recent_audio(FRAME_SAMPLES)
        if frame:
            assert echo == (bytes(range(256)) * 40)[(frame - 1) * 160 : frame * 160]
    assert p.heard_samples() != p.heard_on_media()  # the wall estimate wanders off the frames


def test_a_mark_that_corrects_the_estimate_says_by_how_much() -> None:
    # the reply's first chunk went out when the server had read the frame stamped 0, but
    # Twilio had already sent the next one (a busy server): instead of the frame after it,
    # play began a frame later, so the chunk's mark returns after the frame stamped 120, not
    # 100. Until then the estimate ran one frame ahead; the mark moves it back, and says so
    # for the echo canceller (`take_moved`)
    p, _ = make(chunk_ms=100, max_ahead_ms=1000)
    p.on_media(0)
    p.start_reply()
    p.add_audio(audio(4000), "hello there")
    p.finish_reply()
    sent = drain_ready(p)
    for media in range(20, 140, 20):
        p.on_media(media)
    assert p.heard_on_media() == 120 * 8  # the send-time estimate
    assert p.take_moved() == 0
    p.on_mark(sent[0].mark)  # 100 ms (800 samples) had played
    assert p.heard_on_media() == 800
    assert p.take_moved() == 160 and p.take_moved() == 0
    # on Twilio's basis now: the next mark, on time, moves nothing
    for media in range(140, 240, 20):
        p.on_media(media)
    p.on_mark(sent[1].mark)
    assert p.heard_on_media() == 1600 and p.take_moved() == 0


def test_heard_on_the_media_clock_restarts_after_a_clear() -> None:
    p, clock = make(chunk_ms=100)
    p.on_media(1000)
    p.start_reply()
    p.add_audio(audio(1000), "one two")
    p.finish_reply()
    drain_ready(p)
    p.on_media(1100)
    clock.t += 0.1
    heard = p.clear()  # the pause position (wall estimate): 100 ms in
    assert heard == 5 * FRAME_SAMPLES
    p.on_media(1400)  # paused: nothing plays, the position holds
    assert p.heard_on_media() == heard and p.recent_audio(FRAME_SAMPLES) == b""
    p.resume()
    drain_ready(p)
    p.on_media(1460)  # three frames after the resumed audio went out
    assert p.heard_on_media() == heard + 3 * FRAME_SAMPLES
