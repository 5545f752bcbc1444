"""Real speech for the STT/TTS tests: caller lines spoken by the offline piper voice."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from switchboard.testing.corpus import bargein_dev_dir

CORPUS = bargein_dev_dir()


@pytest.fixture(scope="module", name="caller_line")
def caller_line_fixture() -> np.ndarray:
    """'I need to reschedule my appointment.' at 8 kHz int16 (about 2 s)."""
    from voice.tts.piper import PiperSynthesizer

    return PiperSynthesizer().synthesize_whole_sync("I need to reschedule my appointment.")


def corpus_clip(clip_id: str) -> tuple[np.ndarray, dict]:
    """A bargein-dev clip and its manifest row (skips when the shared corpus is absent)."""
    manifest = CORPUS / "manifest.jsonl"
    if not manifest.exists():
        pytest.skip("shared corpus not found")
    for line in manifest.open():
        row = json.loads(line)
        if row["id"] == clip_id:
            pcm, rate = sf.read(CORPUS / row["audio"], dtype="int16")
            assert rate == 8000
            return pcm, row
    raise LookupError(clip_id)
