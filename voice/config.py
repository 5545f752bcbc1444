"""Settings of the voice server, loaded from the environment in one place."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field

from voice.call import CallSettings
from voice.capacity import CapacitySettings
from voice.errors import VoiceError

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
            "capacity": CapacitySettings(max_calls=_optional_int(env, "MAX_CALLS")),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


_OFF = frozenset({"", "0", "off", "none", "no"})


def _optional_int(env: Mapping[str, str], name: str) -> int | None:
    """An optional limit from the environment: unset, 0 or off gives None (no limit)."""
    raw = env.get(name, "").strip()
    if raw.lower() in _OFF:
        return None
    try:
        return int(raw)
    except ValueError:
        raise VoiceError(
            f"{name}={raw!r}: expected a whole number, or 0/off for no limit"
        ) from None


__all__ = ["WS_MAX_BYTES", "VoiceSettings"]
