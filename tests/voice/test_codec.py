"""mu-law codec: exact G.711 values, round trips, and the frame constants."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from voice.codec import (
    FRAME_BYTES,
    FRAME_MS,
    FRAME_SAMPLES,
    SAMPLE_RATE,
    float_to_pcm,
    pcm_to_ulaw,
    silence_ulaw,
    ulaw_to_pcm,
)


def test_frame_constants() -> None:
    assert (SAMPLE_RATE, FRAME_MS, FRAME_SAMPLES, FRAME_BYTES) == (8000, 20, 160, 160)


def test_known_codes_decode_to_g711_reference_values() -> None:
    pcm = ulaw_to_pcm(bytes([0xFF, 0x7F, 0x00, 0x80, 0xF0]))
    assert pcm.dtype == np.int16
    assert pcm.tolist() == [0, 0, -32124, 32124, 120]


def test_silence_is_zero() -> None:
    assert not ulaw_to_pcm(silence_ulaw()).any()
    assert len(silence_ulaw()) == FRAME_BYTES


def test_every_code_survives_decode_then_encode() -> None:
    codes = bytes(range(256))
    again = pcm_to_ulaw(ulaw_to_pcm(codes))
    # 0x7F and 0xFF both mean zero; the encoder picks the positive one.
    expected = bytes(0xFF if c == 0x7F else c for c in codes)
    assert again == expected


@given(st.lists(st.integers(-32768, 32767), min_size=1, max_size=400))
def test_round_trip_error_is_within_the_quantisation_step(samples: list[int]) -> None:
    pcm = np.array(samples, dtype=np.int16)
    back = ulaw_to_pcm(pcm_to_ulaw(pcm)).astype(np.int32)
    error = np.abs(back - pcm.astype(np.int32))
    # The widest G.711 segment has a 1024-wide step; clipping at 32635 adds a little more.
    assert int(error.max()) <= 1024 + 140


def test_encode_accepts_other_dtypes_and_clips() -> None:
    wide = np.array([40000, -40000, 0], dtype=np.int32)
    assert ulaw_to_pcm(pcm_to_ulaw(wide)).tolist() == [32124, -32124, 0]
    assert float_to_pcm(np.array([2.0, -2.0, 0.5])).tolist() == [32767, -32767, 16383]


def test_one_frame_is_160_bytes_each_way() -> None:
    tone = (np.sin(np.arange(FRAME_SAMPLES) / 5) * 8000).astype(np.int16)
    encoded = pcm_to_ulaw(tone)
    assert len(encoded) == FRAME_BYTES
    assert ulaw_to_pcm(encoded).shape == (FRAME_SAMPLES,)
