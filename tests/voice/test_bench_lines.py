"""`bench/bargein_lines.py`: the bench's figures split by background and SNR, scored with
the corpus scorer's own rules (a turn counts from onset - 100 ms to onset + 2 s)."""

from tests.voice.scripts import load_script

lines = load_script("bargein_lines.py")


def _clip(cid, label, background=None, snr=None, onset=1000):
    return {"id": cid, "label": label, "background": background, "snr_db": snr,
            "onset_ms": onset if label == "interrupt" else None}  # fmt: skip


def test_turns_and_false_cancels_are_split_by_the_line_they_were_mixed_into():
    clips = [
        _clip("a", "interrupt"),  # clean, cancelled in time
        _clip("b", "interrupt", "babble", 0.0),  # cancelled too late: a miss
        _clip("c", "interrupt", "babble", 0.0),  # cancelled 100 ms before onset: counts
        _clip("d", "interrupt", "babble", 5.0),  # never cancelled
        _clip("e", "ignore", "music", 10.0),  # cancelled: wrong
        _clip("f", "ignore"),  # paused and resumed only: right
    ]
    events = {
        "a": [("pause", 1040), ("cancel", 1300)],
        "b": [("pause", 1040), ("cancel", 3020)],
        "c": [("cancel", 900)],
        "e": [("pause", 200), ("cancel", 600)],
        "f": [("pause", 200), ("resume", 500)],
    }  # "d" has no line at all: no events
    split = lines.by_line(
        clips, {k: [{"type": t, "t_ms": ms} for t, ms in v] for k, v in events.items()}
    )

    assert split["recall"] == {
        "babble 0 dB": {"clips": 2, "recall": 0.5},
        "babble 5 dB": {"clips": 1, "recall": 0.0},
        "clean": {"clips": 1, "recall": 1.0},
    }
    assert split["false_cancels"] == {
        "clean": {"clips": 1, "false_cancels": 0.0},
        "music 10 dB": {"clips": 1, "false_cancels": 1.0},
    }
