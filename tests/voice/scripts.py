"""Load a bench script (bench/*.py, not a package) as a module, for tests that drive it."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load_script(relative: str) -> ModuleType:
    """`relative` to bench/, e.g. "bargein.py" or "bargein_train/train.py"."""
    path = BENCH / relative
    name = "bench_script_" + path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
