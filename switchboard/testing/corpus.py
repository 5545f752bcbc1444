"""Where the barge-in corpus lives, found the same way by tests, benchmarks and users.

`SWITCHBOARD_CORPUS_DIR` wins; otherwise the team's shared folder next to the checkout
(`../shared/corpus/bargein-dev`). Returns a path that may not exist: callers skip or fail with a
clear message then.
"""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]


def bargein_dev_dir() -> Path:
    """The bargein-dev corpus folder (manifest.jsonl + clips/)."""
    configured = os.environ.get("SWITCHBOARD_CORPUS_DIR")
    if configured:
        return Path(configured)
    return _REPO.parent / "shared" / "corpus" / "bargein-dev"
