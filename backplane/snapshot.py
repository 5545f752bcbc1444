"""Reading a session's whole state in one MULTI/EXEC, so the parts agree with each other."""

from __future__ import annotations

import json

from redis.asyncio import Redis

from backplane.keys import SessionKeys
from backplane.state import Escalation, Sentiment, SessionSnapshot, SessionStatus, SlotValue


async def read_snapshot(redis: Redis, keys: SessionKeys) -> SessionSnapshot | None:
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hgetall(keys.state)
        pipe.hgetall(keys.slots)
        pipe.hgetall(keys.sentiment)
        pipe.get(keys.fence)
        state, slots, sentiment, fence = await pipe.execute()
    if not state:
        return None
    return SessionSnapshot(
        session_id=keys.session_id,
        agent=state["agent"],
        status=SessionStatus(state["status"]),
        version=int(state["version"]),
        turn=int(state["turn"]),
        channel=state.get("channel", ""),
        created_at=float(state["created_at"]),
        updated_at=float(state["updated_at"]),
        slots={name: SlotValue.from_json(name, raw) for name, raw in slots.items()},
        sentiment=Sentiment(
            rolling=float(state.get("sentiment", 0.0)),
            per_turn={int(turn): float(score) for turn, score in sentiment.items()},
        ),
        escalation=Escalation(
            level=int(state.get("esc_level", 0)),
            reasons=tuple(json.loads(state.get("esc_reasons", "[]"))),
        ),
        metadata=json.loads(state.get("metadata") or "{}"),
        fence=int(fence or 0),
    )
