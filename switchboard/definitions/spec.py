"""The definition file format: pydantic models for `team.yaml` and one file per agent.

Field docstrings become descriptions in the exported JSON Schema, so editors show them.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from switchboard.slots import SlotKind, SlotRules

from .bargein import BARGE_IN_KEYS

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]
"""Agent, slot and intent names: lower_snake_case."""


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class SlotSpec(_Strict):
    """One piece of information an agent collects from the caller."""

    name: Name
    """Slot name, shared by the whole team: a slot filled by one agent is known to all."""
    type: SlotKind
    """How the value is read and stored: text, phone, date, time, datetime, enum or yes_no."""
    description: str = ""
    """What the slot means (shown to an LLM in the agent's instructions)."""
    required: bool = True
    """Required slots are asked for, in order, until filled."""
    prompt: str | None = None
    """The question that asks for this slot (required slots must have one)."""
    confirm: str | None = None
    """Optional acknowledgement once the slot is filled, e.g. 'Thanks, {{caller_name}}.'"""
    choices: list[str] = Field(default_factory=list)
    """enum only: the allowed values."""
    synonyms: dict[str, str] = Field(default_factory=dict)
    """enum only: other words callers use, mapped to a choice ('physical': 'checkup')."""
    pattern: str | None = None
    """text only: a regex the value must match in full."""
    min_length: int = Field(default=1, ge=1)
    """text only: shortest accepted value."""
    region: str | None = None
    """phone only: ISO region for numbers said without a country code (default: team's)."""
    prefer: Literal["future", "past"] = "future"
    """date/time only: read ambiguous dates forward (bookings) or backward (birth dates)."""
    extract: list[str] = Field(default_factory=list)
    """Offline model: regexes that find the value in free text (group 'value' or group 1)."""

    @field_validator("pattern")
    @classmethod
    def _check_pattern(cls, value: str | None) -> str | None:
        return value if value is None else _check_regex(value)

    @field_validator("extract")
    @classmethod
    def _check_extract(cls, value: list[str]) -> list[str]:
        return [_check_regex(v) for v in value]

    @field_validator("region")
    @classmethod
    def _check_region(cls, value: str | None) -> str | None:
        if value is not None and value not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown phone region {value!r}; use an ISO code such as 'US'")
        return value

    @model_validator(mode="after")
    def _check_kind_fields(self) -> SlotSpec:
        if self.type is SlotKind.ENUM and not self.choices:
            raise ValueError("an enum slot needs 'choices' (the allowed values)")
        if self.type is not SlotKind.ENUM and (self.choices or self.synonyms):
            raise ValueError(f"'choices'/'synonyms' only apply to enum slots, not {self.type}")
        bad = sorted(set(self.synonyms.values()) - set(self.choices))
        if bad:
            raise ValueError(f"synonyms map to unknown choices {bad}; allowed: {self.choices}")
        if self.pattern and self.type is not SlotKind.TEXT:
            raise ValueError("'pattern' only applies to text slots")
        if self.required and not self.prompt:
            raise ValueError("a required slot needs a 'prompt' (the question that asks for it)")
        return self

    def rules(self, default_region: str) -> SlotRules:
        return SlotRules(
            name=self.name,
            kind=self.type,
            choices=tuple(self.choices),
            synonyms={k.lower(): v for k, v in self.synonyms.items()},
            pattern=self.pattern,
            min_length=self.min_length,
            region=self.region or default_region,
            prefer=self.prefer,
        )


class HandoffSpec(_Strict):
    """When this agent passes the call to another specialist."""

    to: Name
    """The agent that takes over."""
    on_intents: list[Name] = Field(default_factory=list)
    """Hand off when the caller expresses one of these intents (empty: as soon as `requires`
    are filled)."""
    requires: list[Name] = Field(default_factory=list)
    """Slots this agent must fill before handing off (it asks for them first)."""
    description: str = ""
    """When to use this handoff (shown to an LLM as the handoff tool's description)."""


class ActionSpec(_Strict):
    """When the offline model calls one of the agent's tools, and what it says afterwards."""

    tool: str
    """Registered tool name; must also be listed in the agent's `tools`."""
    requires: list[Name] = Field(default_factory=list)
    """Call once all these slots are filled."""
    on_intents: list[Name] = Field(default_factory=list)
    """...and (if given) the caller expressed one of these intents."""
    when: dict[str, str | bool] = Field(default_factory=dict)
    """...and these slots hold these values ({'confirm_cancel': true})."""
    after: list[str] = Field(default_factory=list)
    """...and these tools already succeeded in this call (text a confirmation only after
    the booking went through)."""
    arguments: dict[str, str] = Field(default_factory=dict)
    """Arguments of the registered tool, as templates over slots. `{{slot:raw}}` gives the
    stored value a tool needs ({'start': '{{appointment_time:raw}}'}: ISO time, E.164 phone);
    `{{slot}}` the spoken form, for text a person reads (an SMS body)."""
    say: str
    """What the agent says after the tool ran (template over slots)."""


class EscalationRule(_Strict):
    """A condition that raises the call's escalation level, optionally moving the call."""

    keywords: list[str] = Field(default_factory=list)
    """Phrases in a caller turn that trigger the rule (case-insensitive)."""
    intents: list[Name] = Field(default_factory=list)
    """Team intents that trigger the rule."""
    sentiment_below: float | None = Field(default=None, ge=-1.0, le=1.0)
    """Trigger when the rolling caller sentiment (-1..1) drops below this."""
    failures: int | None = Field(default=None, ge=1)
    """Trigger after this many failed slot or tool attempts in a row."""
    level: int = Field(default=1, ge=1, le=3)
    """Escalation level to raise: 1 watch, 2 supervisor, 3 urgent."""
    reason: str
    """Why, in words an operator understands; recorded with the escalation."""
    to: Name | None = None
    """Agent that takes the call (a nurse line, a human-transfer desk); none: stay put."""

    @model_validator(mode="after")
    def _one_trigger(self) -> EscalationRule:
        triggers = [
            bool(self.keywords),
            bool(self.intents),
            self.sentiment_below is not None,
            self.failures is not None,
        ]
        if sum(triggers) != 1:
            raise ValueError(
                "an escalation rule needs exactly one trigger: keywords, intents, "
                "sentiment_below or failures"
            )
        return self


class SampleTurn(_Strict):
    """One caller line of a sample dialogue and what must hold after the reply."""

    caller: str
    """What the caller says."""
    agent: Name | None = None
    """The agent that must be in charge after this turn."""
    says: list[str] = Field(default_factory=list)
    """Key phrases the reply must contain (case-insensitive)."""
    not_says: list[str] = Field(default_factory=list)
    """Phrases the reply must not contain (e.g. a question already answered)."""


class SampleBooking(_Strict):
    """A booking the calendar holds before a sample dialogue starts (the test seeds it)."""

    start: datetime
    """Start, the business's wall-clock time ('2025-03-07T14:00')."""
    name: str
    """Client's name."""
    phone: str
    """Client's phone number, E.164 ('+16465550110'), as a booking made by a call stores it."""
    reason: str = ""
    """What the booking is for."""
    duration_min: int = Field(default=30, ge=5, le=480)
    """Length in minutes."""


class ExpectedBooking(_Strict):
    """A booking the calendar must hold after a sample dialogue (only given fields compared)."""

    start: datetime
    """Start, the business's wall-clock time ('2025-03-07T14:00')."""
    status: Literal["booked", "cancelled"] = "booked"
    """'booked', or 'cancelled' for one the call cancelled."""
    name: str | None = None
    """Client's name."""
    phone: str | None = None
    """Client's phone number, E.164."""
    reason: str | None = None
    """Text the booking's reason must contain."""
    duration_min: int | None = Field(default=None, ge=5, le=480)
    """Length in minutes."""


class SampleExpect(_Strict):
    """What must hold when a sample dialogue ends."""

    agent: Name | None = None
    """The agent in charge at the end."""
    handoffs: list[str] = Field(default_factory=list)
    """The handoffs, in order, as 'from -> to'."""
    slots: dict[str, Any] = Field(default_factory=dict)
    """Final slot values (normalised: E.164 phones, ISO dates)."""
    escalation_level: int | None = Field(default=None, ge=0, le=3)
    """Final escalation level."""
    ended: bool | None = None
    """Whether the session ended (the caller said goodbye and heard the farewell)."""
    bookings: list[ExpectedBooking] | None = None
    """Every booking the calendar service holds after the call, in any order (its records,
    read over HTTP: proof the tools really ran). Omit to not look at the calendar."""


class SampleDialogue(_Strict):
    """A conversation that documents the agent and runs as a test with the offline model."""

    name: str
    """Short title, used as the test id."""
    start: Name | None = None
    """Agent the call starts with (default: the team's entry agent)."""
    at: datetime = datetime(2025, 3, 5, 10, 0)
    """Call clock at the start, in the team's timezone (relative dates count from here)."""
    greeting: list[str] = Field(default_factory=list)
    """Key phrases of the opening line."""
    calendar: list[SampleBooking] = Field(default_factory=list)
    """Bookings that exist before the call (e.g. the one a caller wants to move)."""
    turns: list[SampleTurn] = Field(min_length=1)
    """The caller's lines, in order."""
    expect: SampleExpect = SampleExpect()
    """Final state."""


class AgentSpec(_Strict):
    """One specialist agent (one YAML file in the vertical's folder)."""

    name: Name
    """Unique within the team; handoffs and samples refer to it."""
    description: str
    """What this specialist does; shown to other agents' LLMs when deciding a handoff."""
    instructions: str
    """System instructions, rendered each turn with slots: '{{caller_name}}'."""
    greeting: str | None = None
    """Opening line when the call starts with this agent."""
    intro: str | None = None
    """First words when a call is handed to this agent ('Hi, this is billing.')."""
    done: str = "Is there anything else I can help you with?"
    """What the agent says once it has everything it needs (template over slots)."""
    model: str | None = None
    """Model name for this agent ('offline' or an OpenAI-compatible name); default: team's."""
    slots: list[SlotSpec] = Field(default_factory=list)
    """Slots this agent collects, asked in this order."""
    tools: list[str] = Field(default_factory=list)
    """Registered tool names this agent may call."""
    actions: list[ActionSpec] = Field(default_factory=list)
    """Offline model: when to call which tool."""
    handoffs: list[HandoffSpec] = Field(default_factory=list)
    """Other agents this one can pass the call to."""
    escalation: list[EscalationRule] = Field(default_factory=list)
    """Escalation rules while this agent is in charge (added to the team's)."""
    samples: list[SampleDialogue] = Field(default_factory=list)
    """Sample dialogues (start with this agent unless they say otherwise)."""
    barge_in: dict[str, Any] = Field(
        default_factory=dict, json_schema_extra={"propertyNames": {"enum": list(BARGE_IN_KEYS)}}
    )
    """How this agent's replies yield to a caller who talks over them, overlaid on the
    team's `barge_in:` (e.g. `confirm_ms: 150`). Keys: hold_ms, confirm_ms, max_confirm_ms,
    confirm_score, end_ms, ... (the fields of `voice.BargeInSettings`); times in ms."""


DEFAULT_FAREWELL_PATTERNS = [
    r"\bgood ?bye\b",
    r"\bbye\b",
    r"\bthat'?s (all|everything|it)\b",
    r"\bthat (is|will be|'ll be) (all|everything|it)\b",
    r"\bnothing else\b",
    r"\bi'?m all set\b",
]


class FarewellSpec(_Strict):
    """How a caller ends the call: what they say, and the agent's last line before hanging up."""

    patterns: list[str] = Field(default_factory=lambda: list(DEFAULT_FAREWELL_PATTERNS))
    """Regexes over caller text (case-insensitive) meaning the caller is done. The offline
    model says goodbye only when the turn gives no slot value and matches no team intent."""
    say: str = "Thanks for calling {{team}}. Goodbye!"
    """The last line (template over slots); once it is said the session ends and a phone call
    hangs up after it has played."""

    @field_validator("patterns")
    @classmethod
    def _check_patterns(cls, value: list[str]) -> list[str]:
        return [_check_regex(v) for v in value]


class TeamSpec(_Strict):
    """`team.yaml`: the team's entry agent and shared settings."""

    name: Name
    """Team id (usually the folder name)."""
    display_name: str
    """Business name used in greetings: '{{team}}'."""
    description: str = ""
    """What the team handles."""
    entry: Name
    """The agent that answers calls."""
    timezone: str = "UTC"
    """IANA timezone of the business; relative dates are read in it."""
    phone_region: str = "US"
    """Default region for phone numbers said without a country code."""
    model: str = "offline"
    """Default model for every agent: 'offline' or an OpenAI-compatible model name."""
    intents: dict[Name, list[str]] = Field(default_factory=dict)
    """Intent name -> regexes over caller text (case-insensitive), used by handoffs, actions,
    escalation and the offline model."""
    escalation: list[EscalationRule] = Field(default_factory=list)
    """Escalation rules that apply whichever agent is in charge."""
    farewell: FarewellSpec = FarewellSpec()
    """Goodbye phrases and the farewell line that ends the call (defaults suit most teams)."""
    barge_in: dict[str, Any] = Field(
        default_factory=dict, json_schema_extra={"propertyNames": {"enum": list(BARGE_IN_KEYS)}}
    )
    """Barge-in tuning for every agent (hold_ms, confirm_ms, max_confirm_ms, ...: the
    fields of `voice.BargeInSettings`); an agent's own `barge_in:` overrides single keys."""
    samples: list[SampleDialogue] = Field(default_factory=list)
    """Whole-team sample dialogues."""

    @field_validator("timezone")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}; use an IANA name") from None
        return value

    @field_validator("phone_region")
    @classmethod
    def _check_region(cls, value: str) -> str:
        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown phone region {value!r}; use an ISO code such as 'US'")
        return value

    @field_validator("intents")
    @classmethod
    def _check_intents(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for patterns in value.values():
            for p in patterns:
                _check_regex(p)
        return value
