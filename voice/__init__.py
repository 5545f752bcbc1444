"""The voice layer: Twilio Media Streams, audio, VAD, barge-in, playout, STT/TTS adapters."""

from voice.turns import CallAgent, CallAgentFactory

__all__ = ["CallAgent", "CallAgentFactory"]
