"""The Lua scripts, loaded once per connection and run by SHA (reloaded after a Redis restart)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

WRITE_SCRIPTS = (
    "create",
    "begin_turn",
    "set_slot",
    "handoff",
    "sentiment",
    "escalate",
    "status",
    "append",
    "history",
)
LEASE_SCRIPTS = ("lease_acquire", "lease_renew", "lease_release")


@cache
def script_source(name: str) -> str:
    """Source of one script; write scripts get the shared prelude (fencing, op ids, events)."""
    folder = resources.files("backplane") / "scripts"
    body = (folder / f"{name}.lua").read_text(encoding="utf-8")
    if name in WRITE_SCRIPTS:
        return (folder / "_prelude.lua").read_text(encoding="utf-8") + "\n" + body
    return body


class Scripts:
    """Registered scripts of one Redis client."""

    def __init__(self, redis: Redis) -> None:
        self._scripts: dict[str, AsyncScript] = {
            name: redis.register_script(script_source(name))
            for name in WRITE_SCRIPTS + LEASE_SCRIPTS
        }

    async def run(self, name: str, keys: list[str], args: list[Any]) -> dict[str, Any]:
        """Run a script and decode its JSON reply."""
        reply = await self._scripts[name](keys=keys, args=args)
        return json.loads(reply)
