"""Test tools shipped with switchboard: the Twilio simulator and the simulated handset."""

from switchboard.testing.caller_voice import caller_synthesizer
from switchboard.testing.phone import PhoneLine
from switchboard.testing.simulator import (
    CallRejected,
    LineTiming,
    SimulatedCall,
    SimulatorSettings,
    TwilioSimulator,
)
from switchboard.testing.twiml import StreamTarget, parse_twiml, sign, voice_webhook_params

__all__ = [
    "CallRejected",
    "LineTiming",
    "PhoneLine",
    "SimulatedCall",
    "SimulatorSettings",
    "StreamTarget",
    "TwilioSimulator",
    "caller_synthesizer",
    "parse_twiml",
    "sign",
    "voice_webhook_params",
]
