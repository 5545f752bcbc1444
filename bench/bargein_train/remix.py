"""Remixes of the two training corpora: the same voices and sounds, mixed anew.

Each remix is `sources.json` or `sources2.json` with its own seed and clip prefix, built by the
team's unchanged `build_corpus.py`: every clip draws its sound, background, SNR, codec, level
and onset again, so a voice is heard at other SNRs, over other rooms and through other codecs.
It adds no new voice, but it is what taught the scorer low-SNR speech: scored on the original
clips of the voice family it never heard, trained with two remixes it found 87.6% of the turns
at 1% false cancels, against 82.5% from the two corpora alone (`README.md`).

usage: python bench/bargein_train/remix.py [--out /work/var] [--only v,w]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
BUILDER = Path("/work/shared/corpus/build_corpus.py")

REMIXES = {  # prefix: (recipe, seed); corpus folder: bargein-train<k>
    "v": ("sources.json", 20271111),
    "w": ("sources2.json", 20271212),
    "x": ("sources.json", 20271313),
    "y": ("sources2.json", 20271414),
}


def folder(prefix: str) -> str:
    return f"bargein-train{3 + list(REMIXES).index(prefix)}"


@cache
def _base(name: str) -> dict:
    return json.loads((HERE / name).read_text())


def recipe(prefix: str) -> dict:
    """The remix's recipe: its base with another seed and clip prefix (ids stay unique)."""
    base, seed = REMIXES[prefix]
    return {**_base(base), "seed": seed, "prefix": prefix}


def voices(clip_id: str) -> str:
    """Which voices and sounds a training clip was drawn from: its recipe's own clip prefix
    (a remix answers for its base recipe). Clips of one family share speakers; clips of two
    never do, so folds by family measure what new voices do to the scorer."""
    prefix = clip_id[:-4]  # build_corpus names clips prefix + 4 digits
    return str(_base(REMIXES[prefix][0])["prefix"]) if prefix in REMIXES else prefix


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("/work/var"))
    ap.add_argument("--only", default=",".join(REMIXES), help="Prefixes to build.")
    args = ap.parse_args()
    for prefix in args.only.split(","):
        target = args.out / folder(prefix)
        spec = args.out / f"{target.name}.sources.json"
        spec.parent.mkdir(parents=True, exist_ok=True)
        spec.write_text(json.dumps(recipe(prefix), indent=1))
        subprocess.run([sys.executable, str(BUILDER), str(spec), str(target)], check=True)


if __name__ == "__main__":
    main()
