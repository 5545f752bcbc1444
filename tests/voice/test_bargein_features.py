"""Frame shape numbers (periodicity, flatness) and the background they are judged against."""

import numpy as np

from voice.bargein_features import Background, FrameShape, frame_shape, frame_shapes

RATE = 8000
T = np.arange(320) / RATE


def test_a_steady_pitch_is_periodic_and_tonal():
    shape = frame_shape((np.sin(2 * np.pi * 150 * T) * 6000).astype(np.int16))
    assert shape.periodicity > 0.95
    assert shape.flatness < 0.01


def test_a_glottal_pulse_train_is_periodic_like_a_voice():
    pulses = np.zeros(320)
    pulses[:: RATE // 120] = 1.0  # 120 Hz
    voiced = np.convolve(pulses, np.hanning(24), mode="same") * 8000
    assert frame_shape(voiced).periodicity > 0.8


def test_white_noise_is_flat_and_aperiodic():
    noise = np.random.default_rng(1).standard_normal(320) * 3000
    shape = frame_shape(noise)
    assert shape.periodicity < 0.4
    assert shape.flatness > 0.4


def test_digital_silence_has_no_shape():
    shape = frame_shape(np.zeros(320, np.int16))
    assert (shape.periodicity, shape.flatness) == (0.0, 0.0)


def test_background_follows_the_line_slowly():
    bg = Background()
    bg.update(-60.0, ())
    assert bg.level_db == -60.0
    for _ in range(200):  # 4 s of a louder room
        bg.update(-30.0, (0.9,))
    assert -31.0 < bg.level_db < -29.0 and 0.85 < bg.prob < 0.91
    bg.update(0.0, (0.0,))  # one loud frame barely moves it
    assert bg.level_db < -29.0


def test_a_batch_of_windows_has_exactly_the_shapes_of_each_alone():
    rng = np.random.default_rng(7)
    windows = np.stack(
        [
            (np.sin(2 * np.pi * 150 * T) * 6000).astype(np.int16),
            (rng.standard_normal(320) * 3000).astype(np.int16),
            np.zeros(320, np.int16),  # digital silence
            np.full(320, 3, np.int16),  # a DC offset is silence too
            (np.sign(np.sin(2 * np.pi * 110 * T)) * 9000 + rng.standard_normal(320) * 50).astype(
                np.int16
            ),
        ]
    )
    periodicity, flatness = frame_shapes(windows)
    for row, p, f in zip(windows, periodicity, flatness, strict=True):
        assert frame_shape(row) == FrameShape(float(p), float(f))
