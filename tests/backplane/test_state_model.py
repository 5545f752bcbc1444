"""Property test: any sequence of writes leaves Redis equal to a plain Python model of it."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backplane import Backplane

names = st.sampled_from(["name", "phone", "date", "reason"])
agents = st.sampled_from(["reception", "scheduling", "billing"])
values = st.one_of(
    st.text(max_size=20),
    st.integers(),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
)
ops = st.lists(
    st.one_of(
        st.tuples(st.just("slot"), names, values),
        st.tuples(st.just("handoff"), agents, st.just(None)),
        st.tuples(st.just("turn"), st.just(None), st.just(None)),
        st.tuples(st.just("escalate"), st.integers(0, 3), st.just(None)),
    ),
    max_size=25,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=ops)
def test_state_matches_model(redis_url: str, sequence: list[tuple[str, object, object]]) -> None:
    asyncio.run(_check(redis_url, sequence))


async def _check(redis_url: str, sequence: list[tuple[str, object, object]]) -> None:
    bp = await Backplane.connect(redis_url)
    await bp.redis.delete(*(await bp.redis.keys("sb:{prop}:*")) or ["none"])
    await bp.create_session("prop", agent="reception")
    model = {"agent": "reception", "slots": {}, "turn": 0, "level": 0, "events": 1}
    async with bp.own("prop", owner="w") as owned:
        for op, a, b in sequence:
            if op == "slot":
                await owned.set_slot(a, b, agent=model["agent"])  # type: ignore[arg-type]
                model["slots"][a] = b  # type: ignore[index]
            elif op == "handoff":
                await owned.handoff(a)  # type: ignore[arg-type]
                model["agent"] = a
            elif op == "turn":
                await owned.begin_caller_turn("...", agent=model["agent"])  # type: ignore
                model["turn"] += 1  # type: ignore[operator]
            else:
                await owned.escalate(a, "r")  # type: ignore[arg-type]
                model["level"] = max(model["level"], a)  # type: ignore[call-overload]
            model["events"] += 1  # type: ignore[operator]
    snap = await bp.snapshot("prop")
    events = await bp.read_events("prop")
    await bp.close()
    assert snap.agent == model["agent"]
    assert snap.slot_values() == model["slots"]
    assert snap.turn == model["turn"]
    assert snap.escalation.level == model["level"]
    assert snap.version == 1 + len(sequence)
    assert len(events) == model["events"]
