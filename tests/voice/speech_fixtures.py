"""Real speech for the STT/TTS tests: caller lines spoken by the offline piper voice."""

from __future__ import annotations

import asyncio
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


class LoopTicks:
    """Counts event-loop ticks while a block runs: a model run off the loop lets them happen."""

    def __init__(self) -> None:
        self.ticks = 0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(0.005)
            self.ticks += 1

    async def __aenter__(self) -> LoopTicks:
        self._task = asyncio.create_task(self._tick())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
