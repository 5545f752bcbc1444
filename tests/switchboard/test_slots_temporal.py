"""Times as Whisper writes them ("3 p.m.") and as people type them ("3pm") in date/time slots."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from switchboard.slots import SlotContext, SlotKind, SlotRules, extract, normalize

CTX = SlotContext(now=datetime(2025, 3, 5, 10, 0, tzinfo=ZoneInfo("America/Chicago")))
TIME = SlotRules(name="t", kind=SlotKind.TIME)
WHEN = SlotRules(name="w", kind=SlotKind.DATETIME)


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("3 p.m.", "15:00"),
        ("3pm", "15:00"),
        ("3 PM", "15:00"),
        ("at 3:30 p.m.", "15:30"),
        ("At 3:30 P.M., please.", "15:30"),
        ("10 a.m.", "10:00"),
        ("12 p.m.", "12:00"),
    ],
)
def test_time_slot_reads_meridiem_forms(said: str, value: str) -> None:
    raw = extract(TIME, said, asked=True)
    assert raw is not None
    assert normalize(TIME, raw, CTX) == value
    assert normalize(TIME, said, CTX) == value


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("Friday at 3 p.m.", "2025-03-07T15:00-06:00"),
        ("Next Tuesday at 3:30 p.m.", "2025-03-11T15:30-05:00"),
        ("tomorrow at 10 a.m.", "2025-03-06T10:00-06:00"),
        ("Friday 3pm", "2025-03-07T15:00-06:00"),
    ],
)
def test_datetime_slot_reads_meridiem_forms(said: str, value: str) -> None:
    raw = extract(WHEN, said, asked=False)
    assert raw is not None
    assert normalize(WHEN, raw, CTX) == value


def test_a_phone_number_is_not_a_time() -> None:
    assert extract(TIME, "My number is 312 555 0187.", asked=False) is None


BIRTH = SlotRules(name="dob", kind=SlotKind.DATE, prefer="past")


@pytest.mark.parametrize(
    "said",
    [
        "It is March 3rd, 1985.",
        "It is March 3rd, 19, 85.",  # "nineteen eighty-five" as Whisper sometimes writes it
        "It is March 3rd, 19 85.",
        "March 3, 19. 85",
    ],
)
def test_a_year_said_in_two_pairs_is_one_year(said: str) -> None:
    raw = extract(BIRTH, said, asked=True)
    assert raw is not None
    assert normalize(BIRTH, raw, CTX) == "1985-03-03"


def test_pairs_that_are_not_a_year_after_a_day_stay_apart() -> None:
    from switchboard.slots.spoken import whole_years

    assert whole_years("room 19 85 chairs") == "room 19 85 chairs"  # no day before them
    assert whole_years("On March 3rd, 21 people came") == "On March 3rd, 21 people came"
