"""Every Redis key of the tool runtime, in one place.

Idempotency entries carry the session's hash tag so they live in the session's Redis Cluster
slot; breaker keys are per tool and shared by every worker.
"""

from __future__ import annotations

from backplane.keys import check_session_id

#: How long a successful result stays cached under its idempotency key (a resumed call or a
#: replayed turn within this time gets the same result instead of a second booking).
IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000


def idempotency_key(session_id: str, digest: str) -> str:
    check_session_id(session_id)
    return f"sb:{{{session_id}}}:tool:{digest}"


def breaker_keys(tool: str) -> list[str]:
    """KEYS of the breaker script: open flag (PX = cool-down), tripped marker, failures, probe."""
    base = f"sb:tools:breaker:{{{tool}}}"
    return [f"{base}:open", f"{base}:tripped", f"{base}:failures", f"{base}:probe"]
