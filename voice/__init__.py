"""The voice layer: Twilio Media Streams, audio, VAD, barge-in, playout, STT/TTS adapters."""

from voice.app import VoiceServer, create_app
from voice.bargein import BargeInController, BargeInState
from voice.bargein_batch import BatchScorer
from voice.bargein_hooks import BargeInHooks
from voice.bargein_listen import CandidateListener, SegmentRecognizer
from voice.bargein_model import SegmentModel, default_model
from voice.bargein_record import DecisionLog, DecisionLogSettings
from voice.bargein_settings import BargeInSettings
from voice.call import CallLoop, CallSettings, TurnTiming
from voice.capacity import Capacity, CapacitySettings
from voice.config import VoiceSettings
from voice.errors import VoiceError
from voice.hooks import InboundFrame, InboundHook, PlayoutControl
from voice.playout import Playout, PlayoutSettings, PlayoutState
from voice.speech import Recognizer, RecognizerStream, Synthesizer, Transcript
from voice.turns import CallAgent, CallAgentFactory, EndingCallAgent, agent_ended

__all__ = [
    "BargeInController",
    "BargeInHooks",
    "BargeInSettings",
    "BargeInState",
    "BatchScorer",
    "CallAgent",
    "CallAgentFactory",
    "CallLoop",
    "CallSettings",
    "CandidateListener",
    "Capacity",
    "CapacitySettings",
    "DecisionLog",
    "DecisionLogSettings",
    "EndingCallAgent",
    "InboundFrame",
    "InboundHook",
    "Playout",
    "PlayoutControl",
    "PlayoutSettings",
    "PlayoutState",
    "Recognizer",
    "RecognizerStream",
    "SegmentModel",
    "SegmentRecognizer",
    "Synthesizer",
    "Transcript",
    "TurnTiming",
    "VoiceError",
    "VoiceServer",
    "VoiceSettings",
    "agent_ended",
    "create_app",
    "default_model",
]
