"""Checks across files: every name a definition uses must exist somewhere in the team."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from .bargein import BARGE_IN_KEYS, merged, settings_problem, value_problem
from .errors import DefinitionError
from .spec import ActionSpec, AgentSpec, EscalationRule, SampleDialogue, TeamSpec
from .templates import BUILTIN_VARS, FORMS, references, whole_reference
from .toolnames import known_tools, tool_arguments
from .yamlpos import Loc, Located

#: Slot kinds whose spoken form is not what a tool takes, with an example of that form.
_SPOKEN_ONLY = {
    "datetime": "Friday, March 7 at 2:00 PM",
    "date": "Friday, March 7, 2025",
    "time": "2:00 PM",
    "phone": "(917) 555-0166",
}

_HANDOFF = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*->\s*([a-z][a-z0-9_]*)\s*$")


def _allowed(names: Iterable[str]) -> str:
    listed = sorted(set(names))
    return ", ".join(listed) if listed else "(none declared)"


class _Checker:
    def __init__(
        self, team: TeamSpec, team_doc: Located, agents: dict[str, tuple[AgentSpec, Located]]
    ) -> None:
        self.team, self.team_doc, self.agents = team, team_doc, agents
        self.errors: list[DefinitionError] = []
        self.tools = known_tools()
        self.slot_types: dict[str, tuple[str, Located, Loc]] = {}
        for agent, doc in agents.values():
            for i, slot in enumerate(agent.slots):
                self.slot_types.setdefault(slot.name, (slot.type.value, doc, ("slots", i)))

    def add(self, doc: Located, loc: Loc, message: str, *, key: bool = False) -> None:
        self.errors.append(doc.error(loc, message, key=key))

    def agent_name(self, doc: Located, loc: Loc, name: str | None, what: str) -> None:
        if name is not None and name not in self.agents:
            allowed = _allowed(self.agents)
            self.add(doc, loc, f"{what} {name!r} is not an agent of this team; agents: {allowed}")

    def slot_name(self, doc: Located, loc: Loc, name: str, what: str, *, key: bool = False) -> None:
        if name not in self.slot_types:
            allowed = _allowed(self.slot_types)
            message = f"{what} {name!r} is not a slot of any agent; slots: {allowed}"
            self.add(doc, loc, message, key=key)

    def intents(self, doc: Located, loc: Loc, names: list[str]) -> None:
        for i, name in enumerate(names):
            if name not in self.team.intents:
                allowed = _allowed(self.team.intents)
                message = f"unknown intent {name!r}; intents declared in team.yaml: {allowed}"
                self.add(doc, (*loc, i), message)

    def template(self, doc: Located, loc: Loc, text: str | None) -> None:
        for ref in references(text or ""):
            if ref.name not in self.slot_types and ref.name not in BUILTIN_VARS:
                allowed = _allowed([*self.slot_types, *BUILTIN_VARS])
                message = f"template uses unknown variable {{{{{ref.name}}}}}; known: {allowed}"
                self.errors.append(doc.text_error(loc, ref.text, message))
            elif ref.form is not None and ref.form not in FORMS:
                message = (
                    f"unknown form {ref.text}; write {{{{{ref.name}}}}} (spoken) or "
                    f"{{{{{ref.name}:raw}}}} (the stored value, for tool arguments)"
                )
                self.errors.append(doc.text_error(loc, ref.text, message))

    def arguments(self, doc: Located, loc: Loc, action: ActionSpec) -> None:
        """Action arguments against the registered tool's schema: names, required ones,
        literal values, and machine values written in their spoken form."""
        signature = tool_arguments(action.tool)
        if signature is None:
            return  # an unknown tool is reported where the agent lists its tools
        takes = f"its arguments: {signature.describe()}"
        for arg, template in action.arguments.items():
            where: Loc = (*loc, "arguments", arg)
            if arg not in signature.names:
                message = f"tool {action.tool!r} takes no argument {arg!r}; {takes}"
                self.add(doc, where, message, key=True)
                continue
            ref = whole_reference(template)
            if ref is None and not any(references(template)):
                problem = signature.check_value(arg, template)
                if problem:
                    message = f"argument {arg!r} of {action.tool!r}: {template!r}: {problem}"
                    self.add(doc, where, message)
                continue
            if ref is None or ref.form is not None or ref.name not in self.slot_types:
                continue
            kind = self.slot_types[ref.name][0]
            if kind in _SPOKEN_ONLY:
                message = (
                    f"argument {arg!r} is {{{{{ref.name}}}}}, which renders as speech "
                    f"({_SPOKEN_ONLY[kind]!r}); tools take the stored value: write "
                    f"{{{{{ref.name}:raw}}}}"
                )
                self.add(doc, where, message)
        missing = [name for name in signature.required if name not in action.arguments]
        if missing:
            at: Loc = (*loc, "arguments") if action.arguments else (*loc, "tool")
            message = (
                f"tool {action.tool!r} needs argument(s) {', '.join(missing)}, missing here; "
                f"{takes}"
            )
            self.add(doc, at, message, key=bool(action.arguments))

    def escalation(self, doc: Located, loc: Loc, rules: list[EscalationRule]) -> None:
        for i, rule in enumerate(rules):
            self.agent_name(doc, (*loc, i, "to"), rule.to, "escalation target")
            self.intents(doc, (*loc, i, "intents"), rule.intents)

    def samples(self, doc: Located, samples: list[SampleDialogue]) -> None:
        for i, sample in enumerate(samples):
            loc: Loc = ("samples", i)
            self.agent_name(doc, (*loc, "start"), sample.start, "sample start")
            self.agent_name(doc, (*loc, "expect", "agent"), sample.expect.agent, "expected agent")
            for t, turn in enumerate(sample.turns):
                self.agent_name(doc, (*loc, "turns", t, "agent"), turn.agent, "expected agent")
            for h, text in enumerate(sample.expect.handoffs):
                match = _HANDOFF.match(text)
                hloc = (*loc, "expect", "handoffs", h)
                if match is None:
                    self.add(doc, hloc, f"handoff {text!r} must read 'from_agent -> to_agent'")
                    continue
                self.agent_name(doc, hloc, match.group(1), "handoff source")
                self.agent_name(doc, hloc, match.group(2), "handoff target")
            for name in sample.expect.slots:
                self.slot_name(
                    doc, (*loc, "expect", "slots", name), name, "expected slot", key=True
                )

    def agent(self, agent: AgentSpec, doc: Located) -> None:
        seen: dict[str, int] = {}
        for i, slot in enumerate(agent.slots):
            if slot.name in seen:
                line = doc.pos(("slots", seen[slot.name])).line
                message = f"slot {slot.name!r} is declared twice in this agent (first: line {line})"
                self.add(doc, ("slots", i, "name"), message)
            seen.setdefault(slot.name, i)
            kind, first_doc, first_loc = self.slot_types[slot.name]
            if kind != slot.type.value:
                where = f"{first_doc.path.name}:{first_doc.pos(first_loc).line}"
                message = (
                    f"slot {slot.name!r} is {slot.type.value} here but {kind} in {where}; "
                    "a slot has one type across the team"
                )
                self.add(doc, ("slots", i, "type"), message)
            for field in ("prompt", "confirm"):
                self.template(doc, ("slots", i, field), getattr(slot, field))
        for field in ("instructions", "greeting", "intro", "done"):
            self.template(doc, (field,), getattr(agent, field))
        for i, tool in enumerate(agent.tools):
            if tool not in self.tools:
                message = f"unknown tool {tool!r}; registered tools: {_allowed(self.tools)}"
                self.add(doc, ("tools", i), message)
        for i, handoff in enumerate(agent.handoffs):
            loc: Loc = ("handoffs", i)
            if handoff.to == agent.name:
                self.add(doc, (*loc, "to"), f"agent {agent.name!r} cannot hand off to itself")
            else:
                self.agent_name(doc, (*loc, "to"), handoff.to, "handoff target")
            self.intents(doc, (*loc, "on_intents"), handoff.on_intents)
            for j, slot in enumerate(handoff.requires):
                self.slot_name(doc, (*loc, "requires", j), slot, "required slot")
        for i, action in enumerate(agent.actions):
            loc = ("actions", i)
            if action.tool not in agent.tools:
                message = f"action tool {action.tool!r} is not in this agent's tools: "
                self.add(doc, (*loc, "tool"), message + _allowed(agent.tools))
            for j, slot in enumerate(action.requires):
                self.slot_name(doc, (*loc, "requires", j), slot, "required slot")
            self.intents(doc, (*loc, "on_intents"), action.on_intents)
            for slot in action.when:
                self.slot_name(doc, (*loc, "when", slot), slot, "condition slot", key=True)
            for j, tool in enumerate(action.after):
                if tool not in agent.tools:
                    message = f"'after' names {tool!r}, which is not in this agent's tools: "
                    self.add(doc, (*loc, "after", j), message + _allowed(agent.tools))
            for arg, template in action.arguments.items():
                self.template(doc, (*loc, "arguments", arg), template)
            self.arguments(doc, loc, action)
            self.template(doc, (*loc, "say"), action.say)
        self.escalation(doc, ("escalation",), agent.escalation)
        self.samples(doc, agent.samples)

    def barge_in(self, doc: Located, block: dict[str, object], base: dict[str, object]) -> None:
        """Keys and values of a `barge_in:` block, then the block over `base` (the team's) as a
        whole (e.g. confirm_ms above max_confirm_ms), since an agent inherits the rest."""
        bad = False
        for key, value in block.items():
            if key not in BARGE_IN_KEYS:
                hint = difflib.get_close_matches(key, BARGE_IN_KEYS, n=1)
                maybe = f" (did you mean {hint[0]!r}?)" if hint else ""
                message = f"unknown barge_in setting {key!r}{maybe}; allowed: "
                message += _allowed(BARGE_IN_KEYS)
                self.add(doc, ("barge_in", key), message, key=True)
                bad = True
            elif (problem := value_problem(key, value)) is not None:
                self.add(doc, ("barge_in", key), f"barge_in.{key}: {value!r} {problem}")
                bad = True
        if not bad and (problem := settings_problem(merged(base, block))) is not None:
            where = " (with the team's barge_in)" if base else ""
            self.add(doc, ("barge_in",), f"{problem}{where}")

    def run(self) -> list[DefinitionError]:
        self.agent_name(self.team_doc, ("entry",), self.team.entry, "entry agent")
        self.escalation(self.team_doc, ("escalation",), self.team.escalation)
        self.template(self.team_doc, ("farewell", "say"), self.team.farewell.say)
        self.samples(self.team_doc, self.team.samples)
        team_errors = len(self.errors)
        self.barge_in(self.team_doc, self.team.barge_in, {})
        base = self.team.barge_in if len(self.errors) == team_errors else {}
        for agent, doc in self.agents.values():
            self.agent(agent, doc)
            if agent.barge_in:
                self.barge_in(doc, agent.barge_in, base)
        return self.errors


def cross_check(
    team: TeamSpec, team_doc: Located, agents: dict[str, tuple[AgentSpec, Located]]
) -> list[DefinitionError]:
    """Unknown agents, slots, intents, tools and template variables; conflicting slot types."""
    return _Checker(team, team_doc, agents).run()
