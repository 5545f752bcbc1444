"""The event loop a voice server runs on: uvloop when it is installed, else asyncio's own.

The frame path is many small callbacks per 20 ms frame per call (socket reads, the futures of
the batched detectors, task wake-ups). uvloop (which `uvicorn[standard]` installs) runs that
plumbing in C: at 100 in-process calls it cut the event loop's CPU per frame by about a tenth
(`bench/load.py`). Everything here works on either loop; the fallback keeps a plain install
(or another platform) serving.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T], *, uvloop: bool = True) -> T:
    """`asyncio.run(main)` on uvloop when available (and `uvloop`: False measures without)."""
    if not uvloop:
        return asyncio.run(main)
    try:
        import uvloop as fast
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it on Linux and macOS
        return asyncio.run(main)
    return fast.run(main)


def loop_name() -> str:
    """Which loop runs the current task ('uvloop' or 'asyncio'), for reports."""
    return (
        "uvloop" if type(asyncio.get_running_loop()).__module__.startswith("uvloop") else "asyncio"
    )


def fail_waiting(futures: Iterable[asyncio.Future[object]], exc: BaseException) -> None:
    """A shared batch (front end, Silero, scorer) failed: fail every frame still waiting on it
    (one whose call went away meanwhile is already done), never the loop itself."""
    for fut in futures:
        if not fut.done():
            fut.set_exception(exc)


__all__ = ["fail_waiting", "loop_name", "run"]
