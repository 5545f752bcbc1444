"""What an invocation returns: a value, or a typed failure the agent can act on.

The runtime never lets a tool's exception into the call loop. A failure says what kind of
trouble it was and what the agent can do about it (apologise, offer a callback, escalate).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FailureKind(StrEnum):
    TIMEOUT = "timeout"
    UNAVAILABLE = "unavailable"
    RATE_LIMITED = "rate_limited"
    BREAKER_OPEN = "breaker_open"
    REJECTED = "rejected"
    INVALID_ARGUMENTS = "invalid_arguments"
    UNKNOWN_TOOL = "unknown_tool"
    ERROR = "error"


class Action(StrEnum):
    """What the agent may do after a failure."""

    APOLOGISE = "apologise"
    OFFER_CALLBACK = "offer_callback"
    ESCALATE = "escalate"
    ASK_AGAIN = "ask_again"


#: The agent's options per kind: transient trouble -> apologise and offer a callback;
#: a "no" from the service -> ask the caller for something else; our own bug -> escalate.
_ACTIONS: dict[FailureKind, tuple[Action, ...]] = {
    FailureKind.TIMEOUT: (Action.APOLOGISE, Action.OFFER_CALLBACK, Action.ESCALATE),
    FailureKind.UNAVAILABLE: (Action.APOLOGISE, Action.OFFER_CALLBACK, Action.ESCALATE),
    FailureKind.RATE_LIMITED: (Action.APOLOGISE, Action.OFFER_CALLBACK),
    FailureKind.BREAKER_OPEN: (Action.APOLOGISE, Action.OFFER_CALLBACK, Action.ESCALATE),
    FailureKind.REJECTED: (Action.ASK_AGAIN, Action.APOLOGISE),
    FailureKind.INVALID_ARGUMENTS: (Action.ASK_AGAIN,),
    FailureKind.UNKNOWN_TOOL: (Action.APOLOGISE, Action.ESCALATE),
    FailureKind.ERROR: (Action.APOLOGISE, Action.ESCALATE),
}

_MESSAGES: dict[FailureKind, str] = {
    FailureKind.TIMEOUT: "The system did not answer in time.",
    FailureKind.UNAVAILABLE: "The system is not reachable right now.",
    FailureKind.RATE_LIMITED: "The system is busy right now.",
    FailureKind.BREAKER_OPEN: "The system is down; we are not trying it for a while.",
    FailureKind.REJECTED: "The system declined the request.",
    FailureKind.INVALID_ARGUMENTS: "Some details were missing or not understood.",
    FailureKind.UNKNOWN_TOOL: "This action is not available.",
    FailureKind.ERROR: "Something went wrong on our side.",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolFailure:
    """Why an invocation produced no value, in terms the agent can act on."""

    kind: FailureKind
    #: The error class of the last attempt (e.g. "ToolTimeout", "ToolRejected").
    error_class: str
    #: For rejections: the service's short reason ("slot_taken", "not_found").
    reason: str = ""
    #: For rate limits: the service's Retry-After, when it exceeded what the turn allows.
    retry_after_s: float | None = None

    @property
    def actions(self) -> tuple[Action, ...]:
        return _ACTIONS[self.kind]

    @property
    def message(self) -> str:
        return _MESSAGES[self.kind]

    def to_dict(self) -> dict[str, Any]:
        """As recorded in a failed attempt's `result` (replay rebuilds the failure from it)."""
        return {
            "failure": self.kind.value,
            "error_class": self.error_class,
            "reason": self.reason,
            "retry_after_s": self.retry_after_s,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ToolFailure:
        return cls(
            kind=FailureKind(d["failure"]),
            error_class=str(d.get("error_class") or ""),
            reason=str(d.get("reason") or ""),
            retry_after_s=d.get("retry_after_s"),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolResult:
    """The outcome of one invocation (all of its attempts)."""

    tool: str
    idempotency_key: str
    value: Any = None
    failure: ToolFailure | None = None
    attempts: int = 0
    #: Served from the idempotency cache (or, in a replay, from the log).
    cached: bool = False
    latency_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.failure is None

    def to_output(self) -> dict[str, Any]:
        """What the model reads: `{"ok": true, ...value}` or `{"ok": false, "error": ...}`."""
        if self.failure is None:
            if isinstance(self.value, dict):
                return {"ok": True, **self.value}
            return {"ok": True, "result": self.value}
        f = self.failure
        out: dict[str, Any] = {
            "ok": False,
            "error": f.kind.value,
            "message": f.message,
            "actions": [a.value for a in f.actions],
        }
        if f.reason:
            out["reason"] = f.reason
        return out

    def for_model(self) -> str:
        """The JSON string the model sees as the tool's output."""
        return json.dumps(self.to_output(), ensure_ascii=False)
