"""Slot types: callers' words become typed values relative to the call clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from switchboard.slots import SlotContext, SlotKind, SlotRules, SlotValueError, extract, normalize

# Wednesday 5 March 2025, 10:00 in Chicago: "next Tuesday" is 11 March, after the DST change.
CTX = SlotContext(now=datetime(2025, 3, 5, 10, 0, tzinfo=ZoneInfo("America/Chicago")))


def rules(kind: str, **kw: object) -> SlotRules:
    return SlotRules(name="x", kind=SlotKind(kind), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "raw", "expected", "kw"),
    [
        ("datetime", "next Tuesday at 3", "2025-03-11T15:00-05:00", {}),
        ("datetime", "tomorrow at 10am", "2025-03-06T10:00-06:00", {}),
        ("datetime", "Friday at 9:30", "2025-03-07T09:30-06:00", {}),
        ("date", "March 3rd, 1985", "1985-03-03", {"prefer": "past"}),
        ("date", "next Tuesday", "2025-03-11", {}),
        ("time", "at 4 o'clock", "16:00", {}),
        ("phone", "(312) 555-0187", "+13125550187", {}),
        ("phone", "seven seven three five five five zero one four two", "+17735550142", {}),
        ("phone", "+44 20 7946 0958", "+442079460958", {}),
        (
            "enum",
            "A physical, please",
            "checkup",
            {"choices": ("checkup", "sick visit"), "synonyms": {"physical": "checkup"}},
        ),
        ("enum", "Sick Visit", "sick visit", {"choices": ("checkup", "sick visit")}),
        ("yes_no", "yeah, that's right", True, {}),
        ("yes_no", "nope", False, {}),
        ("text", "  Dana Whitfield. ", "Dana Whitfield", {}),
        ("text", "AB-12345", "AB-12345", {"pattern": r"[A-Z]{2}-\d{5}"}),
    ],
)
def test_normalize(kind: str, raw: str, expected: object, kw: dict[str, object]) -> None:
    assert normalize(rules(kind, **kw), raw, CTX) == expected


@pytest.mark.parametrize(
    ("kind", "raw", "fragment", "kw"),
    [
        ("datetime", "yesterday at 3pm", "has passed", {}),
        ("datetime", "next Tuesday", "no time", {}),
        ("datetime", "whenever", "expected a day and time", {}),
        ("date", "March 3rd 2030", "past day is needed", {"prefer": "past"}),
        ("phone", "twelve", "not a phone number", {}),
        ("enum", "a perm", "allowed: checkup", {"choices": ("checkup",)}),
        ("yes_no", "maybe", "neither yes nor no", {}),
        ("text", "AB-1", "does not match", {"pattern": r"[A-Z]{2}-\d{5}"}),
    ],
)
def test_normalize_rejects_with_what_is_allowed(
    kind: str, raw: str, fragment: str, kw: dict[str, object]
) -> None:
    with pytest.raises(SlotValueError) as info:
        normalize(rules(kind, **kw), raw, CTX)
    assert fragment in info.value.message


def test_extractors_find_unasked_values_but_only_asked_free_text() -> None:
    text = "Um, could I come in next Tuesday at 3? My number is 312 555 0187."
    assert extract(rules("datetime"), text, asked=False) == "next Tuesday at 3pm"
    assert extract(rules("phone"), text, asked=False) == "312 555 0187"
    assert extract(rules("text"), "Um, it's Dana Whitfield.", asked=False) is None
    assert extract(rules("text"), "Um, it's Dana Whitfield.", asked=True) == "Dana Whitfield"
    assert extract(rules("yes_no"), "yes please", asked=False) is None
    assert extract(rules("yes_no"), "yes please", asked=True) == "yes"
    # A phone number's last digits are not a year.
    assert extract(rules("date"), "it's 312 555 4567", asked=True) is None


def test_raw_form_renders_stored_values_for_tools() -> None:
    from switchboard.definitions import render
    from switchboard.slots import SlotKind

    kinds = {"when": SlotKind.DATETIME, "phone": SlotKind.PHONE, "ok": SlotKind.YES_NO}
    values = {"when": "2025-03-07T14:00-05:00", "phone": "+19175550166", "ok": True}
    spoken = render("{{when}} / {{phone}} / {{ok}}", values, kinds)
    assert spoken == "Friday, March 7 at 2:00 PM / (917) 555-0166 / yes"
    raw = render("{{when:raw}} / {{ phone : raw }} / {{ok:raw}} / {{gone:raw}}", values, kinds)
    assert raw == "2025-03-07T14:00-05:00 / +19175550166 / true / "
