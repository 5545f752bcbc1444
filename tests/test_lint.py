"""The house rules a linter can check: ruff clean, and no module past the size we split at."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 400


def _ruff() -> list[str]:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if exe is None:
        pytest.fail("ruff is not installed (it is in the [dev] extra)")
    return [exe]


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff_is_clean(args: list[str]) -> None:
    done = subprocess.run([*_ruff(), *args], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_module_past_the_split_size() -> None:
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True)
    files = [ROOT / name for name in tracked.stdout.split()] or [
        path
        for package in ("backplane", "voice", "tools", "switchboard", "tests", "bench")
        for path in (ROOT / package).rglob("*.py")
    ]
    too_big = {
        str(path.relative_to(ROOT)): n
        for path in files
        if path.exists() and (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not too_big, f"split these along their seams: {too_big}"
