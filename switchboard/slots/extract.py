"""Find a slot's value in free caller text: the offline model's slot extractors.

Extractors return the raw phrase (e.g. "next Tuesday at 3pm", "312 555 0187"); the slot-setting
tool normalises it, exactly as it normalises what an LLM passes, so both paths store the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import phonenumbers

from .kinds import TEMPORAL_KINDS, SlotKind
from .normalize import NO_WORDS, YES_WORDS, enum_mentions
from .rules import SlotRules
from .spoken import digits_from_words
from .temporal import find_phrase

_FILLERS = re.compile(
    r"^(?:(?:um+|uh+|er+|so|well|oh|ok(?:ay)?|sure|yes|yeah|yep|hi|hello|hey|right|it'?s|it is"
    r"|that'?s|that is|this is|my name is|my name'?s|the name is|name'?s|i'?m|i am|call me"
    r"|you can call me|my number is|the number is|it was|it would be)\b[\s,.!-]*)+",
    re.IGNORECASE,
)
_TAILS = re.compile(r"[\s,]*(?:please|thanks|thank you|thanks a lot)?[\s.!?]*$", re.IGNORECASE)


def clean_answer(text: str) -> str:
    """A direct answer without the fillers around it ("Um, it is Dana." -> "Dana")."""
    return _TAILS.sub("", _FILLERS.sub("", text.strip())).strip(" ,.")


def extract(
    rules: SlotRules,
    text: str,
    *,
    asked: bool,
    patterns: Sequence[re.Pattern[str]] = (),
    region: str = "US",
) -> str | None:
    """The phrase in `text` that answers this slot, or None.

    `asked` says the agent's last line asked for this slot, so a bare answer ("Dana Whitfield",
    "yes") counts; unasked, only unambiguous mentions do (a phone number, a date, an enum word,
    or a definition's own extraction pattern).
    """
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            value = match.groupdict().get("value") or match.group(1 if match.re.groups else 0)
            return value.strip(" ,.")
    if rules.kind is SlotKind.TEXT:
        answer = clean_answer(text)
        return answer if asked and answer else None
    if rules.kind is SlotKind.PHONE:
        return _phone(text, rules.region or region)
    if rules.kind in TEMPORAL_KINDS:
        return find_phrase(text, rules.kind)
    if rules.kind is SlotKind.ENUM:
        found = enum_mentions(rules, text)
        return found[0] if len(found) == 1 or (asked and found) else None
    if not asked:
        return None
    words = set(re.findall(r"[a-z']+", text.lower()))
    yes, no = bool(words & YES_WORDS), bool(words & NO_WORDS)
    return ("yes" if yes else "no") if yes != no else None


def _phone(text: str, region: str) -> str | None:
    spoken = digits_from_words(text)
    for match in phonenumbers.PhoneNumberMatcher(
        spoken, region, leniency=phonenumbers.Leniency.POSSIBLE
    ):
        return match.raw_string
    return None
