import numpy as np

from voice.aec import _BAND, EchoCanceller


def _band_noise(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.convolve(rng.standard_normal(n + 8), np.ones(8) / 8, mode="valid")[:n]
    return x / np.max(np.abs(x))


def test_agent_echo_is_recognised_and_reduced():
    n, delay = 8000 * 4, 1200  # 150 ms round trip
    far = (_band_noise(n, 1) * 8000).astype(np.int16)
    # the line band-limits the echo (300-3400 Hz) and returns it 20 dB down
    line = np.convolve(far.astype(np.float64), _BAND, mode="full")[:n]
    mic = np.zeros(n, np.int16)
    mic[delay:] = (line[:-delay] * 0.1).astype(np.int16)
    ec = EchoCanceller()
    frames = [ec.process(mic[i : i + 160], far[i : i + 160]) for i in range(0, n, 160)]
    late = frames[len(frames) // 2 :]
    assert ec.delay is not None and abs(ec.delay - delay) <= 8
    assert min(f.coherence for f in late) > 0.6
    assert np.mean([f.mic_db - f.residual_db for f in late]) > 6


def test_caller_alone_passes_untouched():
    n = 8000 * 2
    far = (_band_noise(n, 3) * 8000).astype(np.int16)
    mic = (_band_noise(n, 4) * 6000).astype(np.int16)  # someone else, not the agent
    ec = EchoCanceller()
    out = np.concatenate(
        [ec.process(mic[i : i + 160], far[i : i + 160]).pcm for i in range(0, n, 160)]
    )
    assert np.max(np.abs(out.astype(int) - mic.astype(int))) <= 1
    assert ec.coherence < 0.3


def test_a_known_path_survives_failed_fits_until_drop_after_in_a_row():
    n, delay = 8000 * 3, 800
    far = (_band_noise(n, 5) * 8000).astype(np.int16)
    line = np.convolve(far.astype(np.float64), _BAND, mode="full")[:n]
    mic = np.zeros(n, np.int16)
    mic[delay:] = (line[:-delay] * 0.1).astype(np.int16)
    ec = EchoCanceller()
    for i in range(0, n, 160):
        ec.process(mic[i : i + 160], far[i : i + 160])
    assert ec.delay is not None
    # now the line carries only someone else (the echo path explains nothing): each search
    # fails to fit; the path is kept through two failures and dropped at the third
    other = (_band_noise(n * 2, 6) * 6000).astype(np.int16)
    far2 = (_band_noise(n * 2, 7) * 8000).astype(np.int16)
    held: list[bool] = []
    for i in range(0, 2 * n, 160):
        before = ec._misses
        ec.process(other[i : i + 160], far2[i : i + 160])
        if ec._misses != before:  # a search ran and failed
            held.append(ec.delay is not None)
    assert held[:3] == [True, True, False], held


def test_a_reply_that_just_began_does_not_refit_the_known_path():
    """Between two replies the caller talks and the agent is silent. A search due a few frames
    into the next reply has barely any of the agent to correlate: it must neither replace the
    known path (a spurious lag left a live call's next 400-800 ms of echo uncancelled) nor
    count as a failure; once the agent has talked through half its window, searches resume."""
    delay, gap = 800, 8000 * 2
    first = (_band_noise(8000 * 2, 5) * 8000).astype(np.int16)
    second = (_band_noise(8000 * 2, 6) * 8000).astype(np.int16)
    far = np.concatenate([first, np.zeros(gap, np.int16), second])
    line = np.convolve(far.astype(np.float64), _BAND, mode="full")[: len(far)]
    mic = np.zeros(len(far))
    mic[delay:] = line[:-delay] * 0.1
    caller = _band_noise(gap, 7) * 4000  # the caller's turn: no echo to explain it
    mic[len(first) + 1600 : len(first) + 1600 + gap - 3200] += caller[: gap - 3200]
    mic = mic.astype(np.int16)
    ec = EchoCanceller()
    out = []
    for i in range(0, len(far), 160):
        out.append(ec.process(mic[i : i + 160], far[i : i + 160]))
        if i == len(first) - 160:
            known = (ec.delay, ec.fir.copy())
            assert known[0] is not None and abs(known[0] - delay) <= 8
        if len(first) + gap <= i < len(first) + gap + 1600:  # the next reply's first 200 ms
            assert ec.delay == known[0] and np.allclose(ec.fir, known[1])
            assert ec._misses == 0
    reply = out[(len(first) + gap) // 160 + 5 : (len(first) + gap) // 160 + 30]
    assert np.mean([f.mic_db - f.residual_db for f in reply]) > 6  # its echo is cancelled
    assert ec.delay is not None and abs(ec.delay - delay) <= 8


def test_a_clear_correlation_no_path_fits_does_not_judge_the_line():
    """Until the canceller has judged the line, echo is judged by level. A search that sees
    the agent clearly in the line but fits no path (here the caller talks as loud as the
    echo, so a fit removes only ~3 dB) has not judged it; one that sees no agent has."""
    n, delay = 8000 * 2, 480
    far = (_band_noise(n, 8) * 8000).astype(np.int16)
    line = np.convolve(far.astype(np.float64), _BAND, mode="full")[:n]
    echo = np.zeros(n)
    echo[delay:] = line[:-delay] * 0.3
    caller = _band_noise(n, 9)
    caller *= np.sqrt(np.mean(echo[delay:] ** 2) / np.mean(caller**2))  # as loud as the echo
    talking = EchoCanceller()
    for i in range(0, n, 160):
        talking.process((echo + caller)[i : i + 160].astype(np.int16), far[i : i + 160])
    assert talking.coherence >= talking.settings.min_coherence and talking.delay is None
    assert not talking.searched
    alone = EchoCanceller()  # the line carries only someone else: judged, no echo
    for i in range(0, n, 160):
        alone.process((caller * 3)[i : i + 160].astype(np.int16), far[i : i + 160])
    assert alone.searched and alone.delay is None


def _echo_line(n: int, delay: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The agent's audio and the caller's line: its echo, band-limited, 20 dB down."""
    far = (_band_noise(n, seed) * 8000).astype(np.int16)
    line = np.convolve(far.astype(np.float64), _BAND, mode="full")[:n]
    mic = np.zeros(n, np.int16)
    mic[delay:] = (line[:-delay] * 0.1).astype(np.int16)
    return far, mic


def _run_ahead(ec: EchoCanceller, far, mic, frames: int, ahead: int, corrected_at: int, *,
               realign: bool) -> list[int | None]:  # fmt: skip
    """Feed `frames` frames whose reference runs `ahead` samples early until frame
    `corrected_at` (a reply's first mark), then on time; the delays the searches found."""
    found: list[int | None] = []
    for k in range(frames):
        lead = ahead if k < corrected_at else 0
        if k == corrected_at and realign:
            ec.realign(ahead)
        s = k * 160
        before = ec._frames // ec.settings.search_every, ec.coherence, ec.delay
        ec.process(mic[s : s + 160], far[s + lead : s + lead + 160])
        if (ec._frames // ec.settings.search_every, ec.coherence, ec.delay) != before:
            found.append(ec.delay)
    return found


def test_a_reference_corrected_by_a_mark_is_realigned_before_the_path_is_fitted():
    # a live greeting: the playout estimate ran a frame (160 samples) ahead until the first
    # mark came back, 240 ms in; the line's echo is 480 samples late
    far, mic = _echo_line(8000 * 3, 480, 11)
    unaligned = EchoCanceller()
    _run_ahead(unaligned, far, mic, 20, 160, 12, realign=False)
    # the first search (400 ms) saw mostly the early alignment: a path a frame late, or none
    assert unaligned.delay != 480
    ec = EchoCanceller()
    _run_ahead(ec, far, mic, 20, 160, 12, realign=True)
    assert ec.delay is not None and abs(ec.delay - 480) <= 2 and ec.searched


def test_a_realigned_reference_gets_its_known_path_checked_at_once():
    far, mic = _echo_line(8000 * 4, 480, 12)
    ec = EchoCanceller()
    # a reference a frame ahead for a second: the path is fitted where that puts it, a
    # frame late; then a mark corrects the reference
    _run_ahead(ec, far, mic, 50, 160, 50, realign=False)
    assert ec.delay == 640
    ec.realign(160)
    s = 50 * 160
    searched = ec._frames
    ec.process(mic[s : s + 160], far[s : s + 160])  # the next frame, on time
    assert ec._frames == searched + 1 and abs(ec.delay - 480) <= 2  # refitted at once
    ec.realign(0)  # nothing moved: no extra search
    assert not ec._search_next


def test_history_shift_delays_or_advances_the_stream():
    from voice.aec import _History

    h = _History(4, spare=1)
    for v in range(1, 7):
        h.push(np.full(1, float(v)))
    assert h.view().tolist() == [3.0, 4.0, 5.0, 6.0]
    h.shift(2)  # what was said of the last samples belongs 2 later: older ones come back
    assert h.view().tolist() == [1.0, 2.0, 3.0, 4.0]
    h.shift(-3)  # advanced: the newest 3 are not known yet
    assert h.view().tolist() == [4.0, 0.0, 0.0, 0.0]
    h.push(np.full(1, 9.0))
    assert h.view().tolist() == [0.0, 0.0, 0.0, 9.0]
    h.shift(10)
    assert h.view().tolist() == [0.0, 0.0, 0.0, 0.0]
