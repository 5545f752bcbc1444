"""Many writers at once: nothing lost, nothing doubled, every update an event."""

from __future__ import annotations

import asyncio

from backplane import Backplane, SlotSet


async def test_200_concurrent_slot_updates_lose_nothing(backplane: Backplane) -> None:
    await backplane.create_session("s", agent="a")
    async with backplane.own("s", owner="w") as owned:

        async def writer(task: int) -> None:
            for i in range(25):
                await owned.set_slot(f"t{task}_{i}", {"task": task, "i": i}, agent="a")

        await asyncio.gather(*(writer(t) for t in range(8)))
    snap = await backplane.snapshot("s")
    assert len(snap.slots) == 200
    assert all(
        snap.slots[f"t{t}_{i}"].value == {"task": t, "i": i} for t in range(8) for i in range(25)
    )
    events = [e for e in await backplane.read_events("s") if isinstance(e, SlotSet)]
    assert len(events) == 200
    assert len({e.version for e in events}) == 200  # each update got its own version


async def test_concurrent_updates_to_one_slot_are_last_writer_wins(backplane: Backplane) -> None:
    await backplane.create_session("s", agent="a")
    async with backplane.own("s", owner="w") as owned:
        results = await asyncio.gather(
            *(owned.set_slot("counter", n, agent="a") for n in range(200))
        )
    snap = await backplane.snapshot("s")
    last = max(results, key=lambda slot: slot.version)
    assert snap.slots["counter"].value == last.value
    assert snap.slots["counter"].version == last.version
    events = [e for e in await backplane.read_events("s") if isinstance(e, SlotSet)]
    assert sorted(e.value for e in events) == list(range(200))  # every update recorded


async def test_compare_and_set_slot(backplane: Backplane) -> None:
    from backplane import Conflict

    await backplane.create_session("s", agent="a")
    async with backplane.own("s", owner="w") as owned:
        first = await owned.set_slot("x", 1, agent="a", if_version=0)
        second = await owned.set_slot("x", 2, agent="a", if_version=first.version)
        try:
            await owned.set_slot("x", 3, agent="a", if_version=first.version)
            raise AssertionError("a stale if_version must be refused")
        except Conflict:
            pass
    assert (await backplane.snapshot("s")).slots["x"].version == second.version


async def test_separate_workers_on_separate_sessions(backplane: Backplane) -> None:
    async def call(n: int) -> None:
        sid = f"call-{n}"
        await backplane.create_session(sid, agent="reception")
        async with backplane.own(sid, owner=f"w{n}") as owned:
            await owned.begin_caller_turn("hello", agent="reception")
            await owned.set_slot("n", n, agent="reception")
            await owned.handoff("scheduling")

    await asyncio.gather(*(call(n) for n in range(20)))
    for n in range(20):
        snap = await backplane.snapshot(f"call-{n}")
        assert (snap.agent, snap.slot_values(), snap.turn) == ("scheduling", {"n": n}, 1)
