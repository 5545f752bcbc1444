"""Test tools shipped with switchboard: the Twilio simulator and the simulated handset."""

from switchboard.testing.phone import PhoneLine
from switchboard.testing.simulator import (
    LineTiming,
    SimulatedCall,
    SimulatorSettings,
    TwilioSimulator,
)
from switchboard.testing.twiml import StreamTarget, parse_twiml, sign

__all__ = [
    "LineTiming",
    "PhoneLine",
    "SimulatedCall",
    "SimulatorSettings",
    "StreamTarget",
    "TwilioSimulator",
    "parse_twiml",
    "sign",
]
