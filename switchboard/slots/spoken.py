"""Turn spoken forms (digits said as words, bare hours) into text the parsers understand."""

from __future__ import annotations

import re

_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_DIGIT_RUN = re.compile(
    r"\b(?:(?:" + "|".join(_DIGIT_WORDS) + r")[\s,-]*){3,}\b",
    re.IGNORECASE,
)
_BARE_HOUR = re.compile(r"\b(at|around|by)\s+(\d{1,2})(:\d{2})?(?!\s*(?:[ap]\.?m\b|:|\d))", re.I)
_OCLOCK = re.compile(r"\b(\d{1,2})\s*o'?\s*clock\b", re.IGNORECASE)
# Whisper writes "3 p.m." / "3:30 P.M."; dateparser reads only "3pm" / "3:30pm".
_DOTTED = re.compile(r"\b(\d{1,2}(?::\d{2})?)\s*([ap])\.?\s?m\b\.?", re.IGNORECASE)


# "nineteen eighty-five" after a day of the month sometimes comes out of Whisper as "19, 85" or
# "19 85"; dateparser then reads "March 3rd, 19" as 2019. A century pair and a two-digit pair
# right after a day are one year.
_SPLIT_YEAR = re.compile(r"(\b\d{1,2}(?:st|nd|rd|th)?,?\s+)(1[89]|20)[,.]?\s+(\d{2})\b", re.I)


def whole_years(text: str) -> str:
    """'March 3rd, 19, 85' -> 'March 3rd, 1985' (a year said in two pairs, after a day)."""
    return _SPLIT_YEAR.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}", text)


def digits_from_words(text: str) -> str:
    """Spoken digit runs become digits: 'three one two' -> '312' (runs of 3+ words only)."""

    def join(match: re.Match[str]) -> str:
        words = re.findall(r"[a-z]+", match.group(0).lower())
        return "".join(_DIGIT_WORDS[w] for w in words) + " "

    return _DIGIT_RUN.sub(join, text)


def _meridiem(hour: int) -> str:
    # A clinic, salon or showing is booked in business hours: "at 3" means 3pm, "at 9" 9am.
    return "am" if 8 <= hour <= 11 else "pm"


def with_meridiem(text: str) -> str:
    """Give bare hours ("at 3", "4 o'clock") an am/pm and write "3 p.m." as "3pm", so
    dateparser reads them as times."""

    def fix_at(match: re.Match[str]) -> str:
        hour = int(match.group(2))
        if not 1 <= hour <= 12:
            return match.group(0)
        return f"{match.group(1)} {hour}{match.group(3) or ''}{_meridiem(hour)}"

    def fix_oclock(match: re.Match[str]) -> str:
        hour = int(match.group(1))
        return f"{hour}{_meridiem(hour)}" if 1 <= hour <= 12 else match.group(0)

    def fix_dotted(match: re.Match[str]) -> str:
        return f"{match.group(1)}{match.group(2).lower()}m"

    return _BARE_HOUR.sub(fix_at, _OCLOCK.sub(fix_oclock, _DOTTED.sub(fix_dotted, text)))
