"""A loaded, cross-checked team: specs plus the lookups the orchestrator and models need."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from switchboard.slots import SlotKind, SlotRules
from voice.bargein_settings import BargeInSettings

from .bargein import build as build_barge_in
from .spec import AgentSpec, EscalationRule, SampleDialogue, SlotSpec, TeamSpec
from .templates import render


@dataclass(frozen=True, kw_only=True, slots=True)
class Sample:
    """A sample dialogue with the file it came from and the agent it starts with."""

    dialogue: SampleDialogue
    path: Path
    start: str

    @property
    def test_id(self) -> str:
        return f"{self.path.parent.name}/{self.path.stem}: {self.dialogue.name}"


@dataclass(frozen=True, kw_only=True)
class Team:
    """A vertical's agents, validated. Build with `load_team`."""

    root: Path
    spec: TeamSpec
    agents: dict[str, AgentSpec]
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def entry(self) -> str:
        return self.spec.entry

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.spec.timezone)

    @cached_property
    def slots(self) -> dict[str, SlotSpec]:
        """Every slot declared by any agent (names are team-wide; types agree by validation)."""
        found: dict[str, SlotSpec] = {}
        for agent in self.agents.values():
            for slot in agent.slots:
                found.setdefault(slot.name, slot)
        return found

    @cached_property
    def kinds(self) -> dict[str, SlotKind]:
        return {name: slot.type for name, slot in self.slots.items()}

    def rules(self, slot: str) -> SlotRules:
        return self.slots[slot].rules(self.spec.phone_region)

    @cached_property
    def _intents(self) -> dict[str, tuple[re.Pattern[str], ...]]:
        return {
            name: tuple(re.compile(p, re.IGNORECASE) for p in patterns)
            for name, patterns in self.spec.intents.items()
        }

    def intents_in(self, text: str) -> set[str]:
        """Names of the intents whose patterns match `text`."""
        return {name for name, pats in self._intents.items() if any(p.search(text) for p in pats)}

    @cached_property
    def _farewells(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in self.spec.farewell.patterns)

    def is_farewell(self, text: str) -> bool:
        """The caller says they are done ("That's all, thanks. Goodbye.")."""
        return any(p.search(text) for p in self._farewells)

    def farewell_line(self, slots: Mapping[str, Any], agent: str) -> str:
        """The rendered line that ends the call."""
        extra = {"team": self.spec.display_name, "agent": agent}
        return render(self.spec.farewell.say, slots, self.kinds, extra)

    def escalation_rules(self, agent: str) -> list[EscalationRule]:
        """The team's rules followed by the agent's own."""
        return [*self.spec.escalation, *self.agents[agent].escalation]

    @cached_property
    def _barge_in(self) -> dict[str | None, BargeInSettings]:
        return {}

    def barge_in(self, agent: str | None) -> BargeInSettings:
        """Barge-in settings while `agent` speaks: the team's block overlaid by the agent's
        (the team's alone for None or an unknown agent). Cached: built once per agent."""
        key = agent if agent in self.agents else None
        if key not in self._barge_in:
            own = self.agents[key].barge_in if key is not None else {}
            self._barge_in[key] = build_barge_in(self.spec.barge_in, own)
        return self._barge_in[key]

    def model_name(self, agent: str) -> str:
        return self.agents[agent].model or self.spec.model

    def samples(self) -> list[Sample]:
        """Every sample dialogue, team-level first, then per agent file."""
        team_file = self.root / "team.yaml"
        out = [
            Sample(dialogue=d, path=team_file, start=d.start or self.entry)
            for d in self.spec.samples
        ]
        for name, agent in self.agents.items():
            path = self.files.get(name, self.root / f"{name}.yaml")
            out += [Sample(dialogue=d, path=path, start=d.start or name) for d in agent.samples]
        return out
