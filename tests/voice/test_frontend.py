"""The batched front end gives every call the same numbers as the per-call detectors."""

import asyncio

import numpy as np

from voice.aec import _BAND, EchoCanceller
from voice.bargein_features import frame_shape
from voice.dtmf import detect
from voice.frontend import CallFront, SharedFrontEnd
from voice.vad import EnergyVad


def _signals(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    far = (np.convolve(rng.standard_normal(n + 8), np.ones(8) / 8, "valid")[:n] * 6000).astype(
        np.int16
    )
    echo = np.convolve(far.astype(np.float64), _BAND, mode="full")[:n] * 0.1
    mic = np.zeros(n)
    mic[800 + 80 * seed :] = echo[: n - 800 - 80 * seed]  # each call its own echo delay
    mic[n // 2 : n // 2 + 1600] += rng.standard_normal(1600) * 3000  # the caller talks
    t = np.arange(1600) / 8000
    mic[n // 4 : n // 4 + 1600] += 6000 * (
        np.sin(2 * np.pi * 770 * t) + np.sin(2 * np.pi * 1336 * t)
    )
    return np.clip(mic, -32768, 32767).astype(np.int16), far


def test_batch_matches_the_per_call_detectors():
    n, calls = 8000 * 3, 4
    data = [_signals(n, k) for k in range(calls)]
    front = SharedFrontEnd()
    states = [CallFront() for _ in range(calls)]
    scalar = [(EchoCanceller(), EnergyVad()) for _ in range(calls)]
    for i in range(0, n, 160):
        batch = front.process(
            [(st, m[i : i + 160], f[i : i + 160]) for st, (m, f) in zip(states, data, strict=True)]
        )
        for k, ((ec, vad), (m, f)) in enumerate(zip(scalar, data, strict=True)):
            ref = ec.process(m[i : i + 160], f[i : i + 160])
            energy = vad.process(ref.pcm)
            got = batch[k]
            assert np.max(np.abs(got.pcm.astype(int) - ref.pcm.astype(int))) <= 1
            if energy.level_db > -80:  # below, one LSB of rounding moves the level a lot
                assert abs(got.level_db - energy.level_db) < 0.5
            assert got.active == energy.active or abs(got.level_db - got.floor_db - 9.0) < 0.5
            assert got.dtmf == (detect(m[i : i + 160]) is not None)
            assert abs(got.coherence - ref.coherence) < 1e-6
    assert front.batches == n // 160 and front.frames == calls * (n // 160)
    assert any(st.aec.delay is not None for st in states)  # echo paths were found


async def test_frames_arriving_together_are_processed_in_one_batch():
    front = SharedFrontEnd()
    states = [CallFront() for _ in range(30)]
    frame = np.zeros(160, np.int16)
    for _ in range(5):
        await asyncio.gather(*(front.analyse(st, frame, frame) for st in states))
    assert front.frames == 150
    assert front.batches == 5


async def test_a_busy_front_end_holds_a_batch_for_frames_arriving_apart():
    """Over a WebSocket each call's frame comes in its own event-loop iteration: once frames
    come at 20 calls' rate or more, the first frame of a batch waits `hold_ms` for others."""
    front = SharedFrontEnd(hold_ms=50.0, hold_from_calls=20)
    assert not front.holding
    front._count(900, 0.0)
    front._count(300, 1.0)  # 1200 frames in 1 s: 24 calls
    assert front.holding
    states = [CallFront() for _ in range(6)]
    frame = np.zeros(160, np.int16)

    async def one(st: CallFront, delay: float) -> None:
        await asyncio.sleep(delay)  # each in an iteration of its own
        await front.analyse(st, frame, frame)

    before = front.batches
    await asyncio.gather(*(one(st, 0.0005 * k) for k, st in enumerate(states)))
    assert front.batches == before + 1  # one batch: the first frame waited for the others
    front._count_from = 1.0
    front._count(200, 2.0)  # 10 calls' rate: no more waiting
    assert not front.holding
    assert not SharedFrontEnd().holding  # no hold unless asked for


def test_shapes_are_measured_for_the_calls_that_ask():
    n = 8000
    data = [_signals(n, k) for k in range(3)]
    front = SharedFrontEnd()
    always, if_active, never = CallFront(), CallFront(), CallFront()
    always.want_shape, if_active.want_shape, never.want_shape = True, None, False
    states = [always, if_active, never]
    previous: list[np.ndarray | None] = [None, None, None]
    seen_active = seen_quiet = 0
    for i in range(0, n, 160):
        batch = front.process(
            [(st, m[i : i + 160], f[i : i + 160]) for st, (m, f) in zip(states, data, strict=True)]
        )
        for k, got in enumerate(batch):
            wanted = states[k].want_shape or (states[k].want_shape is None and got.active)
            if previous[k] is None or not wanted:
                assert got.shape is None
            else:  # exactly the policy's own measure of the same 40 ms
                assert got.shape == frame_shape(np.concatenate([previous[k], got.pcm]))
            previous[k] = got.pcm
        seen_active += batch[1].active
        seen_quiet += not batch[1].active
    assert seen_active and seen_quiet  # the "only if active" call had both kinds of frame


def test_until_the_line_is_judged_frames_carry_the_loudest_recent_agent_audio():
    # an echo may be of anything the agent sent within the longest echo delay (400 ms): a
    # word's echo outlasts the word, so the frame being sent is no yardstick for it
    front, call = SharedFrontEnd(), CallFront()
    silent = np.zeros(160, np.int16)
    loud = np.full(160, 8000, np.int16)
    out = front.process([(call, silent, loud)])[0]
    assert not out.echo_searched and out.far_peak_db == out.far_db > -20
    for _ in range(20):  # 400 ms later its echo can still be coming back
        out = front.process([(call, silent, silent)])[0]
    assert out.far_db < -100 and out.far_peak_db > -20
    out = front.process([(call, silent, silent)])[0]  # 420 ms: out of reach
    assert out.far_peak_db < -100
