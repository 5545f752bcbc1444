"""Session state in Redis: slots, sentiment, escalation, current agent, history and events.

Pinned to a session ID, changed atomically by Lua scripts, guarded by a lease with fencing
tokens, streamed as events. Any worker can resume any call.
"""

from backplane.clock import Clock, ManualClock, SystemClock
from backplane.embedded import EmbeddedRedis
from backplane.errors import (
    BackplaneError,
    BackplaneUnavailable,
    Conflict,
    InvalidInput,
    LeaseHeld,
    SessionEnded,
    SessionExists,
    SessionNotFound,
    StaleOwner,
)
from backplane.events import (
    AgentTurn,
    BargeInDecision,
    CallerTurn,
    EscalationRaised,
    Event,
    Handoff,
    ModelOutput,
    SentimentScored,
    SessionStarted,
    SlotSet,
    StatusChanged,
    ToolAttempt,
    UnknownEvent,
    decode_event,
    event_kinds,
    register_event,
)
from backplane.events import SessionEnded as SessionEndedEvent
from backplane.history import History
from backplane.keys import SessionKeys, session_keys
from backplane.retry import RetrySettings
from backplane.session import OwnedSession
from backplane.state import Escalation, Sentiment, SessionSnapshot, SessionStatus, SlotValue
from backplane.store import Backplane

__all__ = [
    "AgentTurn",
    "Backplane",
    "BackplaneError",
    "BackplaneUnavailable",
    "BargeInDecision",
    "CallerTurn",
    "Clock",
    "Conflict",
    "EmbeddedRedis",
    "Escalation",
    "EscalationRaised",
    "Event",
    "Handoff",
    "History",
    "InvalidInput",
    "LeaseHeld",
    "ManualClock",
    "ModelOutput",
    "OwnedSession",
    "RetrySettings",
    "Sentiment",
    "SentimentScored",
    "SessionEnded",
    "SessionEndedEvent",
    "SessionExists",
    "SessionKeys",
    "SessionNotFound",
    "SessionSnapshot",
    "SessionStarted",
    "SessionStatus",
    "SlotSet",
    "SlotValue",
    "StaleOwner",
    "StatusChanged",
    "SystemClock",
    "ToolAttempt",
    "UnknownEvent",
    "decode_event",
    "event_kinds",
    "register_event",
    "session_keys",
]
