"""Prepare the file sources of the second barge-in training corpus (sources2.json).

Three things the shared builder cannot make by itself, all written under OUT_DIR
(default /work/var/bargein-train2-src):

- festival/ked/*.wav + festival/transcripts.txt.gz: caller lines in Festival's `ked_diphone` voice
  (Debian festvox-kdlpc16k), three takes each at different speaking rates and pitch, plus
  festival/ked-bc/*.wav: backchannels ("mm-hmm", "yeah", ...) in the same voice. The transcript
  file uses the 'name: words' format build_corpus.read_transcripts reads.
- warzone2100/audio/...: the game's recorded voice lines and sounds, unpacked from the zip archive
  /usr/share/games/warzone2100/base.wz (Debian warzone2100-data), so the builder can glob them.
- cough-synth/*.wav: synthetic coughs (noise bursts through vowel-like formant filters, with a
  voiced onset and sometimes an intake breath). No Debian package outside the dev and first
  training sources ships real coughs, so these stand in; every one is different (fixed seed).

usage: .venv/bin/python bench/bargein_train/render_sources2.py [OUT_DIR]
Needs: festival festvox-kdlpc16k warzone2100-data (Debian); numpy scipy soundfile (the venv).
Deterministic: the same script gives the same files.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import butter, lfilter

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/var/bargein-train2-src")
WZ_ARCHIVE = Path("/usr/share/games/warzone2100/base.wz")
SR = 16000

# Caller lines of our own (none of them is in dev_sources.json, sources.json or caller_lines.json).
CALLER_LINES = [
    "Sorry, can I ask something?",
    "Excuse me, I have a quick question.",
    "Hold on, that's the wrong surname.",
    "No, the booking was for two people.",
    "Wait, is that the downtown office?",
    "Can you tell me the opening hours first?",
    "Sorry, I missed the beginning of that.",
    "Actually, could we make it next Monday?",
    "Hang on, I'm just getting my diary.",
    "No, I've never been to that branch.",
    "Is it possible to change the time?",
    "Sorry, did you say fifteen or fifty?",
    "Just a second, the kids are shouting.",
    "Um, I think there's been a mistake.",
    "That's not the amount I was quoted.",
    "Could I have a call back instead?",
    "Hold on, which form do I need?",
    "No, I'm the patient, not the carer.",
    "Sorry, is there a charge for that?",
    "Can I pay for it when I arrive?",
    "Wait, I already sent those documents.",
    "Excuse me, I'd like to make a complaint.",
    "Sorry, can you put that in writing?",
    "Actually, I only need a repeat prescription.",
    "Hang on, you've got my old address.",
    "Is there a lift in the building?",
    "Sorry, the signal's terrible here.",
    "No, my appointment was last Wednesday.",
    "Can I speak to the practice manager?",
    "Hold on, who referred me to you?",
    "Sorry, how long is the waiting list?",
    "Okay wait, I need to write that down.",
    "Excuse me, do I need a referral?",
    "No, I'd rather come in person.",
    "Could you send the link again?",
    "Sorry, I'm calling on behalf of my dad.",
    "Hang on, what time do you close today?",
    "Actually, cancel the second appointment.",
    "Wait, does that include the test?",
    "Sorry, is there free parking nearby?",
]
BACKCHANNELS = [
    "mm-hmm", "uh-huh", "yeah", "yes", "okay", "right", "sure", "I see", "mm",
    "oh okay", "go on", "true", "of course", "yeah yeah",
]  # fmt: skip
# (tag, Duration_Stretch, target_f0_mean Hz, target_f0_std Hz): ked's default is 105 / 15
TAKES = [("a", 0.9, 105, 15), ("b", 1.05, 122, 22), ("c", 1.15, 94, 10)]
BC_TAKES = [("a", 1.0, 105, 15), ("b", 1.2, 118, 25)]


def festival(text: str, path: Path, stretch: float, f0: float, f0_std: float) -> None:
    """Render one line with Festival's ked_diphone voice (text2wave)."""
    setup = (
        "(begin (voice_ked_diphone)"
        f" (Parameter.set 'Duration_Stretch {stretch})"
        f" (set! int_lr_params '((target_f0_mean {f0}) (target_f0_std {f0_std})"
        " (model_f0_mean 170) (model_f0_std 34))))"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
        f.write(text + "\n")
        f.flush()
        subprocess.run(
            ["text2wave", "-eval", setup, "-o", str(path), f.name], check=True, capture_output=True
        )


def render_festival(out: Path) -> int:
    speech_dir, bc_dir = out / "festival" / "ked", out / "festival" / "ked-bc"
    speech_dir.mkdir(parents=True, exist_ok=True)
    bc_dir.mkdir(parents=True, exist_ok=True)
    said = []
    for i, text in enumerate(CALLER_LINES, 1):
        for tag, stretch, f0, f0_std in TAKES:
            name = f"ked-{i:03d}{tag}"
            festival(text, speech_dir / f"{name}.wav", stretch, f0, f0_std)
            said.append(f"{name}: {text}\n")
    for i, text in enumerate(BACKCHANNELS, 1):
        for tag, stretch, f0, f0_std in BC_TAKES:
            name = f"kedbc-{i:03d}{tag}"
            festival(text, bc_dir / f"{name}.wav", stretch, f0, f0_std)
            said.append(f"{name}: {text}\n")
    with gzip.open(out / "festival" / "transcripts.txt.gz", "wt", encoding="utf-8") as f:
        f.writelines(said)
    return len(said)


def extract_warzone(out: Path) -> int:
    """Unpack the game's .ogg voice lines and sounds (base.wz is a zip archive)."""
    with zipfile.ZipFile(WZ_ARCHIVE) as z:
        names = [n for n in z.namelist() if n.startswith("audio/") and n.endswith(".ogg")]
        for n in names:
            z.extract(n, out / "warzone2100")
    return len(names)


def resonator(x: np.ndarray, freq: float, bw: float) -> np.ndarray:
    """A two-pole formant resonance at freq Hz with bandwidth bw Hz (unity gain at its peak)."""
    r = np.exp(-np.pi * bw / SR)
    theta = 2 * np.pi * freq / SR
    a = [1.0, -2 * r * np.cos(theta), r * r]
    return lfilter([1 - r], a, x)


def one_cough(rng: np.random.Generator) -> np.ndarray:
    """1-3 cough bursts: sharp onset, formant-shaped noise, a short voiced part, decaying tail."""
    parts = []
    if rng.random() < 0.4:  # intake breath before the cough
        n = int(rng.uniform(0.15, 0.35) * SR)
        b, a = butter(2, [800 / (SR / 2), 5000 / (SR / 2)], btype="band")
        breath = lfilter(b, a, rng.standard_normal(n)) * np.hanning(n) * rng.uniform(0.05, 0.15)
        parts += [breath, np.zeros(int(rng.uniform(0.03, 0.12) * SR))]
    formants = [(rng.uniform(450, 800), rng.uniform(90, 250)),
                (rng.uniform(1000, 1800), rng.uniform(120, 300)),
                (rng.uniform(2200, 3000), rng.uniform(150, 400))]  # fmt: skip
    f0 = rng.uniform(90, 260)
    for k in range(int(rng.integers(1, 4))):
        n = int(rng.uniform(0.16, 0.4) * SR)
        t = np.arange(n) / SR
        attack = int(rng.uniform(0.004, 0.02) * SR)
        env = np.exp(-t / rng.uniform(0.05, 0.13))
        env[:attack] *= np.linspace(0, 1, attack)
        noise = rng.standard_normal(n)
        period = SR / (f0 * rng.uniform(0.9, 1.1))
        jitter = np.cumsum(1 + 0.03 * rng.standard_normal(n)) / period
        pulses = np.maximum(0.0, np.sin(2 * np.pi * jitter)) ** 8
        voiced = pulses * rng.uniform(1.0, 4.0) * (t < rng.uniform(0.06, 0.2))
        src = noise + voiced
        gains = (1.0, 0.6, 0.3)
        y = sum(resonator(src, f, bw) * g for (f, bw), g in zip(formants, gains, strict=True))
        y += 0.15 * noise  # broadband turbulence
        parts += [y * env * (0.8**k), np.zeros(int(rng.uniform(0.06, 0.22) * SR))]
    x = np.concatenate(parts)
    return (x / (np.max(np.abs(x)) + 1e-9) * 0.7).astype(np.float32)


def render_coughs(out: Path, count: int = 60, seed: int = 20270419) -> int:
    cough_dir = out / "cough-synth"
    cough_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(1, count + 1):
        sf.write(cough_dir / f"cough-{i:03d}.wav", one_cough(rng), SR, subtype="PCM_16")
    return count


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"festival ked: {render_festival(OUT)} takes")
    print(f"warzone2100: {extract_warzone(OUT)} files")
    print(f"synthetic coughs: {render_coughs(OUT)}")
    print(f"-> {OUT}")


if __name__ == "__main__":
    main()
