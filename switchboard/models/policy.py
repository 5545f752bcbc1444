"""The offline model's decisions, driven only by the definitions and the conversation so far.

One decision per model call, in this order: set slots the caller just gave (through the same
`set_slot` tool an LLM uses), hand off when a handoff rule fires, call a tool whose action is
ready, otherwise speak: intro, confirmations, tool results, then the next question or `done`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from switchboard.definitions import AgentSpec, SlotSpec, Team, render
from switchboard.slots import TEMPORAL_KINDS, SlotKind, extract

from .contract import SET_SLOT_TOOL, handoff_tool_name
from .transcript import Call, Exchange, Transcript


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolRequest:
    """A function call the model decided to make."""

    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class Decision:
    """Either tool calls (slot sets, a handoff, a tool) or a reply; never both."""

    calls: tuple[ToolRequest, ...] = ()
    text: str = ""


@dataclass(kw_only=True)
class _Turn:
    transcript: Transcript
    current: Exchange
    slots: dict[str, Any]
    arrived_now: bool
    window: list[Exchange] = field(default_factory=list)


class Policy:
    """Decides what one agent does next."""

    def __init__(self, team: Team, agent: AgentSpec) -> None:
        self.team = team
        self.agent = agent
        self._patterns = {s.name: [re.compile(p) for p in s.extract] for s in agent.slots}

    def _render(self, template: str, slots: Mapping[str, Any]) -> str:
        extra = {"team": self.team.spec.display_name, "agent": self.agent.name}
        return render(template, slots, self.team.kinds, extra)

    def decide(self, transcript: Transcript, slots: Mapping[str, Any], tools: set[str]) -> Decision:
        current = transcript.current
        if current is None:
            return Decision(text=self._next_line(dict(slots), transcript=None))
        turn = self._turn(transcript, current, dict(slots))
        farewell = self._farewell(turn)
        sets = self._extract(turn, farewell=farewell)
        if sets:
            return Decision(calls=tuple(sets))
        if farewell:
            return Decision(text=self.team.farewell_line(turn.slots, self.agent.name))
        handoff = self._handoff(turn, tools)
        if handoff:
            return Decision(calls=(handoff,))
        action = self._action(turn, tools)
        if action:
            return Decision(calls=(action,))
        return Decision(text=self._reply(turn))

    # -- what the turn looks like -------------------------------------------------------

    def _turn(self, transcript: Transcript, current: Exchange, slots: dict[str, Any]) -> _Turn:
        me = handoff_tool_name(self.agent.name)
        arrival = None
        for index, exchange in enumerate(transcript.exchanges):
            if any(c.name == me for c in exchange.calls):
                arrival = index
        arrived_now = arrival == len(transcript.exchanges) - 1
        # Handoff intents count from the caller's first message after this agent took over
        # (the entry agent: from the start), so a specialist reacts to new requests only.
        window = transcript.exchanges[(arrival + 1) if arrival is not None else 0 :]
        return _Turn(
            transcript=transcript,
            current=current,
            slots=slots,
            arrived_now=arrived_now,
            window=window,
        )

    def _asked(self, turn: _Turn) -> str | None:
        """The slot this agent's last line asked for (its prompt appears in that line)."""
        last = turn.transcript.last_reply_before_current()
        for slot in self.agent.slots:
            if slot.prompt and self._render(slot.prompt, turn.slots) in last:
                return slot.name
        return None

    def _farewell(self, turn: _Turn) -> bool:
        """The caller is done: a goodbye phrase, on a turn that asks for nothing else (no tool
        ran yet this turn, no team intent)."""
        text = turn.current.caller
        if turn.current.calls or not self.team.is_farewell(text):
            return False
        return not self.team.intents_in(text)

    # -- 1. slots -----------------------------------------------------------------------

    def _extract(self, turn: _Turn, *, farewell: bool = False) -> list[ToolRequest]:
        calls = turn.current.calls
        me = handoff_tool_name(self.agent.name)
        mine_from = max((i + 1 for i, c in enumerate(calls) if c.name == me), default=0)
        if any(c.name == SET_SLOT_TOOL for c in calls[mine_from:]):
            return []  # this agent already read this turn; its sets are in
        tried = {c.arguments.get("name") for c in calls if c.name == SET_SLOT_TOOL}
        asked = None if turn.arrived_now else self._asked(turn)
        # A specialist that just took over reads everything the caller said so far, so it
        # never asks for what the caller already told the previous agent.
        sources = turn.transcript.exchanges if turn.arrived_now else [turn.current]
        planned: dict[str, str] = {}
        for exchange in reversed(sources):
            temporal_taken = any(
                c.name == SET_SLOT_TOOL
                and c.arguments.get("name") in self.team.kinds
                and self.team.kinds[c.arguments["name"]] in TEMPORAL_KINDS
                for c in exchange.calls
            )
            used: set[str] = set()
            for slot in self.agent.slots:
                if slot.name in tried or slot.name in planned:
                    continue
                is_asked = exchange is turn.current and asked == slot.name
                if turn.slots.get(slot.name) is not None and not is_asked:
                    continue
                if slot.type in TEMPORAL_KINDS and temporal_taken and not is_asked:
                    continue  # that message's date already answered another question
                # "That's all, bye" is no name: on a goodbye, only unmistakable values count.
                bare_ok = is_asked and not (farewell and slot.type is SlotKind.TEXT)
                raw = self._find(slot, exchange.caller, bare_ok)
                if raw and raw not in used:
                    planned[slot.name] = raw
                    used.add(raw)
        order = [s.name for s in self.agent.slots]
        return [
            ToolRequest(name=SET_SLOT_TOOL, arguments={"name": name, "value": planned[name]})
            for name in sorted(planned, key=order.index)
        ]

    def _find(self, slot: SlotSpec, text: str, asked: bool) -> str | None:
        rules = self.team.rules(slot.name)
        region = self.team.spec.phone_region
        return extract(rules, text, asked=asked, patterns=self._patterns[slot.name], region=region)

    # -- 2. handoffs --------------------------------------------------------------------

    def _intents(self, exchanges: list[Exchange]) -> set[str]:
        found: set[str] = set()
        for exchange in exchanges:
            found |= self.team.intents_in(exchange.caller)
        return found

    def _handoff(self, turn: _Turn, tools: set[str]) -> ToolRequest | None:
        if any(c.name.startswith("transfer_to_") for c in turn.current.calls):
            return None  # one handoff per caller turn: no ping-pong
        intents = self._intents(turn.window)
        for rule in self.agent.handoffs:
            matched = set(rule.on_intents) & intents
            if rule.on_intents and not matched:
                continue
            if any(turn.slots.get(name) is None for name in rule.requires):
                continue
            tool = handoff_tool_name(rule.to)
            if tool in tools:
                why = f"caller intent: {', '.join(sorted(matched))}" if matched else "ready"
                return ToolRequest(name=tool, arguments={"reason": why})
        return None

    def _pending_requirement(self, turn: _Turn) -> str | None:
        """A slot a matched handoff still needs (asked before the agent's own questions)."""
        intents = self._intents(turn.window)
        for rule in self.agent.handoffs:
            if rule.on_intents and not set(rule.on_intents) & intents:
                continue
            for name in rule.requires:
                if turn.slots.get(name) is None and self.team.slots[name].prompt:
                    return name
        return None

    # -- 3. tools -----------------------------------------------------------------------

    def _action(self, turn: _Turn, tools: set[str]) -> ToolRequest | None:
        since_arrival = turn.transcript.exchanges[-len(turn.window) - 1 :]
        intents = self._intents(since_arrival)
        for action in self.agent.actions:
            if action.tool not in tools:
                continue
            if any(turn.slots.get(name) is None for name in action.requires):
                continue
            if action.on_intents and not set(action.on_intents) & intents:
                continue
            if any(turn.slots.get(k) != v for k, v in action.when.items()):
                continue
            if not all(self._succeeded(turn, tool) for tool in action.after):
                continue
            arguments = {k: self._render(v, turn.slots) for k, v in action.arguments.items()}
            if self._already_ran(turn, action.tool, arguments):
                continue
            return ToolRequest(name=action.tool, arguments=arguments)
        return None

    @staticmethod
    def _succeeded(turn: _Turn, tool: str) -> bool:
        return any(c.name == tool and c.outcome.ok for c in turn.transcript.all_calls())

    @staticmethod
    def _already_ran(turn: _Turn, tool: str, arguments: dict[str, Any]) -> bool:
        for call in turn.transcript.all_calls():
            if call.name != tool:
                continue
            if call.arguments == arguments and call.outcome.ok:
                return True
            if call in turn.current.calls:
                return True  # failed this turn: do not hammer it, say so instead
        return False

    # -- 4. the reply -------------------------------------------------------------------

    def _reply(self, turn: _Turn) -> str:
        parts: list[str] = []
        if turn.arrived_now and self.agent.intro:
            parts.append(self._render(self.agent.intro, turn.slots))
        failed = [c for c in turn.current.calls if c.name == SET_SLOT_TOOL and not c.outcome.ok]
        if failed:
            parts.append(self._reask(failed[0], turn.slots))
            return " ".join(parts)
        parts += self._confirmations(turn)
        parts.append(self._next_line(turn.slots, turn))
        return " ".join(p for p in parts if p)

    def _reask(self, call: Call, slots: dict[str, Any]) -> str:
        name = call.arguments.get("name")
        spec = next((s for s in self.agent.slots if s.name == name), None)
        prompt = self._render(spec.prompt, slots) if spec and spec.prompt else ""
        problem = call.outcome.error.split(": ", 1)[-1] or "I didn't quite get that"
        return f"Sorry, {problem}. {prompt}".strip()

    def _confirmations(self, turn: _Turn) -> list[str]:
        lines = []
        mine = {s.name: s for s in self.agent.slots}
        for call in turn.current.calls:
            if call.name == SET_SLOT_TOOL and call.outcome.ok:
                spec = mine.get(call.arguments.get("name", ""))
                if spec and spec.confirm:
                    lines.append(self._render(spec.confirm, turn.slots))
                continue
            action = next((a for a in self.agent.actions if a.tool == call.name), None)
            if action is None:
                continue
            if call.outcome.ok:
                lines.append(self._render(action.say, turn.slots))
            else:
                lines.append(
                    "I'm sorry, I couldn't complete that just now; "
                    "someone from our team will follow up."
                )
        return lines

    def _next_line(self, slots: dict[str, Any], turn: _Turn | None) -> str:
        name = self._pending_requirement(turn) if turn else None
        if name is None:
            name = next(
                (s.name for s in self.agent.slots if s.required and slots.get(s.name) is None),
                None,
            )
        if name is None:
            return self._render(self.agent.done, slots)
        spec = next((s for s in self.agent.slots if s.name == name), self.team.slots[name])
        return self._render(spec.prompt or "", slots)
