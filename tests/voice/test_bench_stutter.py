"""`bench/bargein_stutter.py`: a resume followed by a pause within 300 ms is a stutter."""

from tests.voice.scripts import load_script

stutter = load_script("bargein_stutter.py")


def _ev(*pairs):
    return [{"type": t, "t_ms": ms} for t, ms in pairs]


def test_only_a_pause_right_after_a_resume_is_a_stutter():
    # resumed at 900, paused again at 1100 (200 ms: a stutter); resumed at 2000 and paused
    # at 2400 (400 ms of agent audio: not one); a cancel after a resume is not a pause
    events = _ev(("pause", 500), ("resume", 900), ("pause", 1100), ("resume", 2000),
                 ("pause", 2400), ("resume", 3000), ("cancel", 3100))  # fmt: skip
    assert stutter.count(events) == 1
    assert stutter.count(events, within_ms=400) == 2
    assert stutter.count([]) == 0


def test_shares_and_rates_per_label():
    clips = [{"id": "a", "label": "ignore"}, {"id": "b", "label": "ignore"},
             {"id": "c", "label": "interrupt"}]  # fmt: skip
    lines = {
        "a": _ev(
            ("pause", 100), ("resume", 400), ("pause", 450), ("resume", 800), ("pause", 900)
        ),  # two stutters: 50 and 100 ms of agent audio
        "c": _ev(("pause", 100), ("cancel", 400)),
    }  # "b" is missing from the results: no events, no stutter
    assert stutter.stutters(clips, lines) == {
        "ignore": {"clips": 2, "with_stutter": 0.5, "per_clip": 1.0},
        "interrupt": {"clips": 1, "with_stutter": 0.0, "per_clip": 0.0},
    }


def test_pause_lengths_count_resumed_pauses_only():
    # a re-onset pause inside an open pause does not restart it; a cancelled pause is not a
    # hiccup (the caller got the turn)
    events = _ev(("pause", 100), ("pause", 300), ("resume", 700), ("pause", 1000),
                 ("cancel", 1400), ("pause", 2000), ("resume", 2160))  # fmt: skip
    assert stutter.pause_lengths(events) == [600, 160]
    assert stutter.pause_lengths(_ev(("pause", 100))) == []  # still paused at the clip's end


def test_hiccups_are_measured_on_ignore_clips():
    clips = [{"id": "a", "label": "ignore"}, {"id": "b", "label": "ignore"},
             {"id": "c", "label": "interrupt"}]  # fmt: skip
    lines = {
        "a": _ev(("pause", 100), ("resume", 300), ("pause", 1000), ("resume", 1700)),
        "b": _ev(("pause", 50), ("resume", 450)),
        "c": _ev(("pause", 100), ("resume", 5100)),  # a missed turn: not a hiccup
    }
    assert stutter.hiccups(clips, lines) == {
        "pauses": 3,
        "pause_ms_p50": 400.0,
        "pause_ms_p95": 700.0,
        "silent_ms_per_clip": 650.0,
    }
    assert stutter.hiccups(clips, {}) == {"pauses": 0}
