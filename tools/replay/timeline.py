"""The timeline of a recorded session: one entry per event, in order, described for people.

Built from the event stream only, so a live session and an exported file give the same view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from backplane import (
    AgentTurn,
    BargeInDecision,
    CallerTurn,
    EscalationRaised,
    Event,
    Handoff,
    ModelOutput,
    SentimentScored,
    SessionEnded,
    SessionStarted,
    SlotSet,
    StatusChanged,
    ToolAttempt,
)
from tools.replay.record import SessionRecord


class Tone(StrEnum):
    """How an entry should stand out."""

    SPEECH = "speech"
    INFO = "info"
    OK = "ok"
    WARN = "warn"
    ERROR = "error"
    QUIET = "quiet"


@dataclass(frozen=True, kw_only=True, slots=True)
class Entry:
    index: int
    kind: str
    turn: int
    at: float
    #: Seconds since the session started.
    offset_s: float
    #: Who: "caller", an agent name, "tool", "system".
    actor: str
    summary: str
    tone: Tone = Tone.INFO
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "turn": self.turn,
            "at": self.at,
            "offset_s": round(self.offset_s, 3),
            "actor": self.actor,
            "summary": self.summary,
            "tone": self.tone.value,
            "detail": self.detail,
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class Timeline:
    session_id: str
    started_at: float
    entries: list[Entry]
    stats: dict[str, Any]
    snapshot: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "started_at": self.started_at,
            "stats": self.stats,
            "snapshot": self.snapshot,
            "entries": [e.to_dict() for e in self.entries],
        }


Described = tuple[str, str, Tone]  # actor, summary, tone


def _tool(e: ToolAttempt) -> Described:
    tone = {"ok": Tone.OK, "cached": Tone.OK, "replayed": Tone.OK, "retry": Tone.WARN}.get(
        e.outcome, Tone.ERROR
    )
    err = f" {e.error_class}" if e.error_class else ""
    return (
        "tool",
        f"{e.tool} #{e.attempt} {e.outcome}{err} {e.latency_ms:.1f} ms [breaker {e.breaker_state}]",
        tone,
    )


_DESCRIBE: dict[type[Event], Callable[[Any], Described]] = {
    SessionStarted: lambda e: (
        "system",
        f"session started: {e.channel}, agent {e.agent}",
        Tone.INFO,
    ),
    SessionEnded: lambda e: ("system", f"session ended {e.reason}".strip(), Tone.INFO),
    CallerTurn: lambda e: ("caller", e.text, Tone.SPEECH),
    AgentTurn: lambda e: (
        e.agent,
        e.text + (" [interrupted]" if e.interrupted else ""),
        Tone.SPEECH,
    ),
    ModelOutput: lambda e: (e.agent, f"model {e.model}: {len(e.items)} item(s)", Tone.QUIET),
    SlotSet: lambda e: (
        e.set_by or "system",
        f"slot {e.name} = {e.value!r} (confidence {e.confidence:.2f})",
        Tone.INFO,
    ),
    SentimentScored: lambda e: (
        "system",
        f"sentiment {e.score:+.2f} (rolling {e.rolling:+.2f})",
        Tone.WARN if e.rolling < -0.3 else Tone.QUIET,
    ),
    EscalationRaised: lambda e: ("system", f"escalation level {e.level}: {e.reason}", Tone.WARN),
    Handoff: lambda e: (
        e.from_agent,
        f"handoff {e.from_agent} -> {e.to_agent}"
        + (f": {e.reason}" if e.reason else "")
        + (f" (slots: {', '.join(sorted(e.slots))})" if e.slots else ""),
        Tone.INFO,
    ),
    ToolAttempt: _tool,
    BargeInDecision: lambda e: (
        "caller",
        f"barge-in {e.decision} at {e.t_ms} ms (heard {e.heard_ms} ms)"
        + (f": {e.reason}" if e.reason else ""),
        Tone.WARN if e.decision == "confirm" else Tone.QUIET,
    ),
    StatusChanged: lambda e: ("system", f"status {e.previous or '?'} -> {e.status}", Tone.INFO),
}


def describe(event: Event) -> Described:
    fn = _DESCRIBE.get(type(event))
    if fn is not None:
        return fn(event)
    payload = event.payload()
    text = ", ".join(f"{k}={v!r}" for k, v in payload.items() if k not in ("data",))
    return ("system", f"{event.kind}: {text}" if text else event.kind, Tone.INFO)


def build_timeline(record: SessionRecord) -> Timeline:
    started = record.events[0].at if record.events else 0.0
    entries = []
    for i, event in enumerate(record.events):
        actor, summary, tone = describe(event)
        entries.append(
            Entry(
                index=i,
                kind=event.kind,
                turn=event.turn,
                at=event.at,
                offset_s=event.at - started,
                actor=actor,
                summary=summary,
                tone=tone,
                detail=event.payload() if event.kind != "unknown" else {},
            )
        )
    return Timeline(
        session_id=record.session_id,
        started_at=started,
        entries=entries,
        stats=_stats(record.events),
        snapshot=record.snapshot,
    )


def _stats(events: list[Event]) -> dict[str, Any]:
    tools = [e for e in events if isinstance(e, ToolAttempt)]
    final_failures = [e for e in tools if e.outcome in ("failed", "timeout", "breaker_open")]
    agents: list[str] = []
    for e in events:
        name = getattr(e, "agent", None) or getattr(e, "to_agent", None)
        if isinstance(name, str) and name and name not in agents:
            agents.append(name)
    return {
        "events": len(events),
        "caller_turns": sum(isinstance(e, CallerTurn) for e in events),
        "agent_turns": sum(isinstance(e, AgentTurn) for e in events),
        "handoffs": sum(isinstance(e, Handoff) for e in events),
        "tool_attempts": len(tools),
        "tool_failures": len(final_failures),
        "barge_ins": sum(isinstance(e, BargeInDecision) for e in events),
        "agents": agents,
        "duration_s": round(events[-1].at - events[0].at, 3) if events else 0.0,
    }
