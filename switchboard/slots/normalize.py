"""Turn what a caller (or a model) said into the stored value of a slot, or say why not."""

from __future__ import annotations

import re

import phonenumbers

from .errors import SlotValueError
from .kinds import TEMPORAL_KINDS, SlotKind
from .rules import SlotContext, SlotRules
from .spoken import digits_from_words
from .temporal import parse_temporal

SlotScalar = str | bool

YES_WORDS = frozenset(
    "yes yeah yep yup sure correct right affirmative absolutely definitely ok okay "
    "please true".split()
)
NO_WORDS = frozenset("no nope nah not negative never false don't dont".split())


def normalize(rules: SlotRules, raw: SlotScalar, ctx: SlotContext) -> SlotScalar:
    """The canonical value of `raw` for this slot; raises `SlotValueError` with what is allowed."""
    if isinstance(raw, bool):
        if rules.kind is SlotKind.YES_NO:
            return raw
        raw = "yes" if raw else "no"
    text = raw.strip()
    if not text:
        raise SlotValueError(rules.name, "the value is empty")
    if rules.kind is SlotKind.TEXT:
        return _text(rules, text)
    if rules.kind is SlotKind.PHONE:
        return _phone(rules, text, ctx)
    if rules.kind in TEMPORAL_KINDS:
        return parse_temporal(rules, text, ctx)
    if rules.kind is SlotKind.ENUM:
        return _enum(rules, text)
    return _yes_no(rules, text)


def _text(rules: SlotRules, text: str) -> str:
    value = text.strip(" .,!?;:\"'")
    if len(value) < rules.min_length:
        raise SlotValueError(rules.name, f"too short; at least {rules.min_length} characters")
    pattern = rules.compiled_pattern()
    if pattern is not None and not pattern.fullmatch(value):
        raise SlotValueError(rules.name, f"{value!r} does not match the format {rules.pattern}")
    return value


def _phone(rules: SlotRules, text: str, ctx: SlotContext) -> str:
    region = rules.region or ctx.region
    try:
        number = phonenumbers.parse(digits_from_words(text), region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise SlotValueError(
            rules.name,
            f"{text!r} is not a phone number; expected a number with area code, "
            f"e.g. '312 555 0187' ({region} numbers) or one starting with +country code",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _enum(rules: SlotRules, text: str) -> str:
    lowered = text.lower().strip(" .,!?")
    for choice in rules.choices:
        if lowered == choice.lower():
            return choice
    if lowered in rules.synonyms:
        return rules.synonyms[lowered]
    found = enum_mentions(rules, lowered)
    if len(found) == 1:
        return found[0]
    raise SlotValueError(
        rules.name, f"{text!r} is not one of the options; allowed: {', '.join(rules.choices)}"
    )


def enum_mentions(rules: SlotRules, text: str) -> list[str]:
    """Choices mentioned in `text` (by name or synonym), in declaration order, no repeats."""
    lowered = text.lower()
    hits: list[str] = []
    words = [*((c.lower(), c) for c in rules.choices), *rules.synonyms.items()]
    for word, choice in words:
        if re.search(rf"\b{re.escape(word.lower())}\b", lowered) and choice not in hits:
            hits.append(choice)
    return hits


def _yes_no(rules: SlotRules, text: str) -> bool:
    words = set(re.findall(r"[a-z']+", text.lower()))
    yes, no = bool(words & YES_WORDS), bool(words & NO_WORDS)
    if yes != no:
        return yes
    raise SlotValueError(rules.name, f"{text!r} is neither yes nor no; expected a yes or a no")
