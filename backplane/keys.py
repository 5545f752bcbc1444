"""Every Redis key, TTL and limit of the backplane, in one place. Nobody else formats a key.

All keys of a session share the hash tag `{<sid>}` so they live in one Redis Cluster slot and one
Lua script may touch them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backplane.errors import InvalidInput

#: Session IDs: Twilio CallSids (`CA` + 32 hex) or generated chat IDs. No braces (hash tags).
SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
#: Slot names are identifiers, as templates refer to them.
SLOT_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: Agent names as written in definition files.
AGENT_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")

MAX_SLOT_VALUE_BYTES = 64 * 1024
MAX_EVENT_BYTES = 256 * 1024
MAX_TEXT_BYTES = 64 * 1024
MAX_REASON_BYTES = 1024

#: Keys of a live session expire if nothing touches them for this long (abandoned calls).
ACTIVE_TTL_MS = 2 * 24 * 3600 * 1000
#: After a session ends its keys linger this long (post-call pipeline, replay), then go.
ENDED_TTL_MS = 24 * 3600 * 1000
#: Default lease: a worker that stops renewing loses the call within this time.
LEASE_TTL_MS = 10_000
#: Rolling sentiment: exponential moving average weight of the newest turn.
SENTIMENT_ALPHA = 0.4
#: How long a tool's successful result stays cached under its idempotency key (a resumed call
#: or a replayed turn within this time gets the same result instead of a second booking).
TOOL_RESULT_TTL_MS = 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class SessionKeys:
    """The keys of one session."""

    session_id: str

    def _key(self, part: str) -> str:
        return f"sb:{{{self.session_id}}}:{part}"

    @property
    def state(self) -> str:
        return self._key("state")

    @property
    def slots(self) -> str:
        return self._key("slots")

    @property
    def sentiment(self) -> str:
        return self._key("sentiment")

    @property
    def events(self) -> str:
        return self._key("events")

    @property
    def lease(self) -> str:
        return self._key("lease")

    @property
    def fence(self) -> str:
        return self._key("fence")

    @property
    def ops(self) -> str:
        return self._key("ops")

    @property
    def history(self) -> str:
        return self._key("history")

    def tool_result(self, digest: str) -> str:
        """A tool result cached under its idempotency key (the tool runtime's cache). Not in
        `all()`: the session scripts never touch it, and it carries its own TTL."""
        return self._key(f"tool:{digest}")

    def all(self) -> list[str]:
        """Every key, in the order the Lua scripts expect them (KEYS[1..8])."""
        return [
            self.state,
            self.slots,
            self.sentiment,
            self.events,
            self.lease,
            self.fence,
            self.ops,
            self.history,
        ]


def session_keys(session_id: str) -> SessionKeys:
    """Validate a session ID and return its keys."""
    check_session_id(session_id)
    return SessionKeys(session_id)


def breaker_keys(tool: str) -> list[str]:
    """A tool's circuit breaker (shared by every worker; the tool name is the hash tag, so one
    script reaches all four): open flag (PX = cool-down), tripped marker, failures, probe."""
    base = f"sb:tools:breaker:{{{tool}}}"
    return [f"{base}:open", f"{base}:tripped", f"{base}:failures", f"{base}:probe"]


def check_session_id(session_id: object) -> str:
    if not isinstance(session_id, str):
        raise InvalidInput("session_id", f"must be a string, got {type(session_id).__name__}")
    if not SESSION_ID_PATTERN.match(session_id):
        raise InvalidInput(
            "session_id",
            f"{session_id[:80]!r} is not allowed: 1-128 characters of A-Z a-z 0-9 . _ : - "
            "starting with a letter or digit",
        )
    return session_id
