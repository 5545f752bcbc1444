"""What a call did, turn by turn, and the first point where two runs differ.

Compared: replies (agent, text), handoffs, slot values, tool calls (tool, arguments; one per
invocation, retries folded), escalations and status changes. Model output items themselves are
not compared (ids differ between runs); their effects are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from backplane import (
    AgentTurn,
    CallerTurn,
    EscalationRaised,
    Event,
    Handoff,
    SlotSet,
    StatusChanged,
    ToolAttempt,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Observation:
    turn: int
    kind: str  # reply | handoff | slot | tool | escalation | status
    what: tuple[Any, ...]

    def describe(self) -> str:
        if self.kind == "reply":
            return f"{self.what[0]} says {self.what[1]!r}"
        if self.kind == "handoff":
            return f"handoff {self.what[0]} -> {self.what[1]}"
        if self.kind == "slot":
            return f"slot {self.what[0]} = {self.what[1]!r}"
        if self.kind == "tool":
            return f"tool {self.what[0]}({self.what[1]})"
        return f"{self.kind} {' '.join(str(w) for w in self.what)}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Divergence:
    turn: int
    kind: str
    caller: str = ""
    expected: Observation | None = None
    actual: Observation | None = None
    note: str = ""

    def describe(self) -> str:
        head = f"turn {self.turn}" + (f" (caller: {self.caller!r})" if self.caller else "")
        if self.note:
            return f"{head}: {self.note}"
        exp = self.expected.describe() if self.expected else "nothing more"
        act = self.actual.describe() if self.actual else "nothing more"
        return f"{head}: {self.kind} differs\n  recorded: {exp}\n  rerun:    {act}"


def _canonical(arguments: dict[str, Any]) -> str:
    import json

    return json.dumps(arguments, sort_keys=True, ensure_ascii=False)


def observations(events: list[Event]) -> list[Observation]:
    out: list[Observation] = []
    for i, e in enumerate(events):
        if isinstance(e, AgentTurn):
            nxt = events[i + 1] if i + 1 < len(events) else None
            if not e.interrupted and isinstance(nxt, AgentTurn) and nxt.interrupted:
                continue  # a reply cut by a barge-in: what was heard is compared instead
            out.append(Observation(turn=e.turn, kind="reply", what=(e.agent, e.text.strip())))
        elif isinstance(e, Handoff):
            out.append(Observation(turn=e.turn, kind="handoff", what=(e.from_agent, e.to_agent)))
        elif isinstance(e, SlotSet):
            out.append(Observation(turn=e.turn, kind="slot", what=(e.name, e.value)))
        elif isinstance(e, ToolAttempt) and e.outcome != "retry":
            out.append(
                Observation(turn=e.turn, kind="tool", what=(e.tool, _canonical(e.arguments)))
            )
        elif isinstance(e, EscalationRaised):
            out.append(Observation(turn=e.turn, kind="escalation", what=(e.level, e.reason)))
        elif isinstance(e, StatusChanged) and e.status != "ended":
            # Ending is the call loop's doing (hang-up, rerun finished), not the agents'.
            out.append(Observation(turn=e.turn, kind="status", what=(e.status,)))
    return out


def first_divergence(recorded: list[Event], rerun: list[Event]) -> Divergence | None:
    callers = {e.turn: e.text for e in recorded if isinstance(e, CallerTurn)}
    want: dict[int, list[Observation]] = defaultdict(list)
    got: dict[int, list[Observation]] = defaultdict(list)
    for o in observations(recorded):
        want[o.turn].append(o)
    for o in observations(rerun):
        got[o.turn].append(o)
    for turn in sorted(set(want) | set(got)):
        exp, act = want[turn], got[turn]
        for i in range(max(len(exp), len(act))):
            e = exp[i] if i < len(exp) else None
            a = act[i] if i < len(act) else None
            if e is None or a is None or e.kind != a.kind or e.what != a.what:
                kind = (e or a).kind if (e is None or a is None or e.kind == a.kind) else "order"
                return Divergence(
                    turn=turn, kind=kind, caller=callers.get(turn, ""), expected=e, actual=a
                )
    return None
