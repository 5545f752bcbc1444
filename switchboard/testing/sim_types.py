"""What the simulated Twilio is told and tells back: its settings, a caller line's timing, and
the refusal of a call (`<Reject>`)."""

from __future__ import annotations

from dataclasses import dataclass

SPEECH_LEVEL = 300
"""int16 magnitude above which a caller sample counts as speech (for latency timing)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class SimulatorSettings:
    """Where the simulated Twilio calls and how."""

    server: str
    """Base URL the webhooks go to, e.g. http://127.0.0.1:8000 (the server's PUBLIC_BASE_URL)."""
    auth_token: str
    """Signs every webhook and the stream upgrade."""
    account_sid: str = "AC" + "0" * 32
    speed: float = 1.0
    """Clock rate: 1.0 = real time, 4.0 = four times faster."""
    echo_db: float | None = None
    """The agent's voice comes back down the line this many dB under what the caller hears
    (a speakerphone); None: a line without echo."""
    echo_delay_ms: int = 60


@dataclass(kw_only=True, slots=True)
class LineTiming:
    """When one caller line stopped and the agent's answer began (monotonic seconds)."""

    text: str
    speech_end_at: float | None = None
    first_agent_audio_at: float | None = None

    @property
    def latency_ms(self) -> float | None:
        if self.speech_end_at is None or self.first_agent_audio_at is None:
            return None
        return (self.first_agent_audio_at - self.speech_end_at) * 1000.0


class CallRejected(Exception):
    """The server answered the call with `<Reject>` (the caller hears busy or a refusal)."""

    def __init__(self, call_sid: str, reason: str) -> None:
        super().__init__(f"call {call_sid} rejected: {reason}")
        self.call_sid = call_sid
        self.reason = reason


__all__ = ["SPEECH_LEVEL", "CallRejected", "LineTiming", "SimulatorSettings"]
