"""Settings of the voice server, loaded from the environment in one place."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from voice.call import CallSettings
from voice.capacity import CapacitySettings
from voice.errors import VoiceError

T = TypeVar("T")

WS_MAX_BYTES = 1 << 20
"""Cap for one WebSocket message at the server (uvicorn `ws_max_size`); the stream handler
already refuses far smaller ones itself (`voice.messages.MAX_MESSAGE_CHARS`)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class VoiceSettings:
    """How the Twilio-facing server behaves."""

    auth_token: str | None = None
    """Twilio auth token that keys `X-Twilio-Signature` (TWILIO_AUTH_TOKEN). Without it and with
    validation on, every request is refused."""
    validate_signatures: bool = True
    """Off only when explicitly asked (TWILIO_VALIDATE_SIGNATURES=0), for local development."""
    public_base_url: str | None = None
    """The URL Twilio uses to reach us (PUBLIC_BASE_URL), e.g. https://voice.example.com. Behind
    a proxy the signature is computed over this URL, not the Host header we see. When unset, the
    request's own URL is used."""
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    """Owner name for session leases."""
    call: CallSettings = field(default_factory=CallSettings)
    capacity: CapacitySettings = field(default_factory=CapacitySettings)
    """When this process stops taking new calls (`voice.capacity`)."""

    @classmethod
    def from_env(cls, **overrides: object) -> VoiceSettings:
        env = os.environ
        values: dict[str, object] = {
            "auth_token": env.get("TWILIO_AUTH_TOKEN") or None,
            "validate_signatures": env.get("TWILIO_VALIDATE_SIGNATURES", "1").lower()
            not in {"0", "false", "no", "off"},
            "public_base_url": env.get("PUBLIC_BASE_URL") or None,
            "capacity": CapacitySettings(
                max_calls=_limit(env, "MAX_CALLS", None, int),
                max_loop_lag_ms=_limit(env, "MAX_LOOP_LAG_MS", DEFAULT_MAX_LOOP_LAG_MS, float),
            ),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


DEFAULT_MAX_LOOP_LAG_MS = 50.0
"""A served process refuses new calls while its event loop runs later than this (p90 over 2 s);
each call's frames are then that late too (barge-in pauses aim at 60 ms after onset)."""
_OFF = frozenset({"", "0", "off", "none", "no"})


def _limit(
    env: Mapping[str, str], name: str, default: T | None, kind: Callable[[str], T]
) -> T | None:
    """An optional limit from the environment: unset gives `default`, 0/off/none gives None."""
    raw = env.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in _OFF:
        return None
    try:
        return kind(raw.strip())
    except ValueError:
        raise VoiceError(f"{name}={raw!r}: expected a number, or 0/off for no limit") from None


__all__ = ["DEFAULT_MAX_LOOP_LAG_MS", "WS_MAX_BYTES", "VoiceSettings"]
