"""The voice server's collector: the loaded heap frozen out of reach, pauses recorded."""

import gc
import subprocess
import sys
import textwrap

from voice import heap

# Freezing is for the life of a process, so it is checked in one of its own.
_FROZEN_CYCLES = textwrap.dedent(
    """
    import gc, weakref
    from voice import heap

    class Node:
        pass

    def cycle():
        a, b = Node(), Node()
        a.other, b.other = b, a
        return weakref.ref(a)

    loaded = cycle()          # garbage from before the server settled
    frozen = heap.settle()    # ...is collected by settle's own full collection
    assert loaded() is None, "settle collects first"
    kept = [Node() for _ in range(1000)]
    for i, n in enumerate(kept):
        n.next = kept[(i + 1) % len(kept)]  # one big cycle, alive
    probe = weakref.ref(kept[0])
    heap.settle()
    del kept[:]               # ...now garbage, but frozen: no collection may walk it
    gc.collect()
    assert probe() is not None, "a frozen cycle was collected"
    assert gc.get_freeze_count() >= frozen + 1000, (frozen, gc.get_freeze_count())
    late = cycle()            # made after settling: collected as usual
    gc.collect()
    assert late() is None
    print(frozen)
    """
)


def test_settle_freezes_what_is_alive_and_leaves_new_garbage_collectable():
    out = subprocess.run(
        [sys.executable, "-c", _FROZEN_CYCLES], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) > 1000  # the interpreter's and the voice package's own objects


def test_pause_log_records_collections_while_installed():
    log = heap.PauseLog().install()
    try:
        gc.collect()
        gc.collect(0)
    finally:
        log.remove()
    summary = log.summary()
    assert summary["collections"] == 2
    assert summary["full_collections"] == 1
    assert summary["max_pause_ms"] >= 0.0
    gc.collect()
    assert log.summary()["collections"] == 2  # removed: no longer recording
    assert log.drain() == summary and log.summary()["collections"] == 0
    assert heap.PauseLog().summary() == {
        "collections": 0,
        "full_collections": 0,
        "max_pause_ms": 0.0,
        "pauses_over_10ms": 0,
    }
