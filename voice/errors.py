"""Errors raised by the voice layer. Everything derives from `VoiceError`."""

from __future__ import annotations


class VoiceError(Exception):
    """Base class of every voice-layer error."""


class PlayoutStateError(VoiceError):
    """A playout operation that the current state does not allow (e.g. resume while playing)."""

    def __init__(self, state: str, operation: str) -> None:
        super().__init__(f"cannot {operation} while playout is {state}")
        self.state = state
        self.operation = operation


class ProtocolError(VoiceError):
    """A Media Streams message that cannot be used (bad JSON, bad payload, out of order)."""

    def __init__(self, reason: str, *, event: str | None = None) -> None:
        super().__init__(f"{event or 'message'}: {reason}")
        self.reason = reason
        self.event = event


class SignatureError(VoiceError):
    """A Twilio request whose `X-Twilio-Signature` is missing or does not match."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"rejected Twilio signature for {url}: {reason}")
        self.url = url
        self.reason = reason


class CallError(VoiceError):
    """The call loop cannot continue (e.g. the session is missing or ended)."""

    def __init__(self, session_id: str, reason: str) -> None:
        super().__init__(f"call {session_id}: {reason}")
        self.session_id = session_id
        self.reason = reason


class VadError(VoiceError):
    """Voice activity detection cannot run (e.g. the Silero model file is missing)."""


class BargeInStateError(VoiceError):
    """A barge-in controller transition that its current state does not allow."""

    def __init__(self, state: str, event: str) -> None:
        super().__init__(f"barge-in: cannot {event} while {state}")
        self.state = state
        self.event = event


class SpeechError(VoiceError):
    """A speech-to-text or text-to-speech adapter failed (model missing, provider error)."""
