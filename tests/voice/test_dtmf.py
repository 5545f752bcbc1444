import numpy as np

from voice.dtmf import COLS, KEYS, ROWS, detect


def _tone(row: float, col: float, level: float = 0.3) -> np.ndarray:
    t = np.arange(160) / 8000
    x = level * (np.sin(2 * np.pi * row * t) + np.sin(2 * np.pi * col * t)) / 2
    return (x * 32767).astype(np.int16)


def test_every_key_is_detected():
    for r, row in enumerate(ROWS):
        for c, col in enumerate(COLS):
            assert detect(_tone(row, col)) == KEYS[r][c]


def test_noise_speechlike_and_silence_are_not_tones():
    rng = np.random.default_rng(1)
    assert detect((rng.standard_normal(160) * 3000).astype(np.int16)) is None
    assert detect(np.zeros(160, np.int16)) is None
    t = np.arange(160) / 8000
    vowel = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 20))
    assert detect((vowel * 5000).astype(np.int16)) is None


def test_single_tone_is_not_a_key():
    t = np.arange(160) / 8000
    assert detect((np.sin(2 * np.pi * 941 * t) * 9000).astype(np.int16)) is None
