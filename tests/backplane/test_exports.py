"""The public API is a promise: pin it."""

import backplane


def test_public_names_are_pinned() -> None:
    assert set(backplane.__all__) >= {
        "Backplane",
        "OwnedSession",
        "SessionSnapshot",
        "SlotValue",
        "Event",
        "Handoff",
        "StaleOwner",
        "LeaseHeld",
        "InvalidInput",
        "SessionNotFound",
        "ManualClock",
        "register_event",
    }
    for name in backplane.__all__:
        assert getattr(backplane, name) is not None
