import asyncio
import subprocess
import sys
import threading

import numpy as np

from voice.silero import SharedSilero, SileroModel, SileroStream, model_path
from voice.vad import EnergyVad


def test_model_file_is_found_without_importing_torch():
    code = (
        "import sys; from voice.silero import model_path, SileroModel; "
        "p = model_path(); SileroModel(p); print(p); "
        "sys.exit(1 if 'torch' in sys.modules or 'silero_vad' in sys.modules else 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("silero_vad.onnx")


def test_stream_makes_256_sample_windows_from_20ms_frames():
    s = SileroStream()
    counts = [len(s.push(np.zeros(160, np.int16))) for _ in range(8)]
    assert sum(counts) == 5  # 1280 samples = 5 windows of 256
    assert all(len(w) == 288 for w in s.push(np.zeros(256, np.int16)))  # 32 context + 256


def test_batched_inference_matches_one_stream_at_a_time():
    model = SileroModel(model_path())
    rng = np.random.default_rng(0)
    audio = [(rng.standard_normal(2560) * 2000).astype(np.int16) for _ in range(3)]
    alone = [model.score(SileroStream(), a) for a in audio]
    streams = [SileroStream() for _ in audio]
    windows = [s.push(a) for s, a in zip(streams, audio, strict=True)]
    batched = [[] for _ in audio]
    for k in range(len(windows[0])):
        probs = model.infer(streams, [w[k] for w in windows])
        for i, p in enumerate(probs):
            batched[i].append(p)
    assert np.allclose(np.array(alone), np.array(batched), atol=1e-5)


class _ThreadRecordingModel(SileroModel):
    def __init__(self) -> None:
        super().__init__()
        self.threads: set[int] = set()
        self.batch_sizes: list[int] = []

    def infer(self, streams, windows):
        self.threads.add(threading.get_ident())
        self.batch_sizes.append(len(streams))
        return super().infer(streams, windows)


async def test_shared_session_batches_calls_off_the_event_loop():
    model = _ThreadRecordingModel()
    shared = SharedSilero(model)
    streams = [SileroStream() for _ in range(20)]
    frame = np.zeros(160, np.int16)
    for _ in range(10):
        await asyncio.gather(*(shared.score(s, frame) for s in streams))
    shared.close()
    assert threading.get_ident() not in model.threads
    assert shared.windows == 20 * 6  # 1600 samples per stream = 6 full windows
    assert max(model.batch_sizes) > 1
    assert shared.batches < shared.windows


def test_energy_detector_tracks_floor_and_fires_on_loud_frames():
    vad = EnergyVad()
    rng = np.random.default_rng(2)
    quiet = [vad.process((rng.standard_normal(160) * 30).astype(np.int16)) for _ in range(50)]
    assert not any(f.active for f in quiet[5:])
    t = np.arange(160) / 8000
    loud = vad.process((np.sin(2 * np.pi * 300 * t) * 8000).astype(np.int16))
    assert loud.active
    assert loud.level_db > quiet[-1].floor_db + 9
