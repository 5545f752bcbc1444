"""Local services for offline runs: started only for what the environment leaves out."""

from __future__ import annotations

from pathlib import Path

import httpx

from switchboard.local_services import LocalServices, LocalServicesSettings
from tools import BuiltinSettings, TwilioSettings


def test_starts_calendar_and_recorder_when_nothing_is_configured(tmp_path: Path) -> None:
    options = LocalServicesSettings(data_dir=tmp_path)
    with LocalServices(BuiltinSettings(), options) as local:
        settings = local.settings
        assert settings.calendar_url.startswith("http://127.0.0.1:")
        assert settings.crm_url.endswith("/crm")
        assert settings.twilio.api_base == local.recorder.url  # type: ignore[union-attr]
        body = {"start": "2025-03-08T11:00", "name": "Ada", "phone": "+14155552671"}
        httpx.post(f"{settings.calendar_url}/bookings", json=body).raise_for_status()
    # The calendar's records outlive the process: the next chat can move or cancel them.
    with LocalServices(BuiltinSettings(), options) as again:
        held = httpx.get(f"{again.settings.calendar_url}/bookings").json()["bookings"]
    assert [(b["start"], b["name"]) for b in held] == [("2025-03-08T11:00", "Ada")]
    assert (tmp_path / "calendar" / "calendar.sqlite").is_file()


def test_configured_services_are_left_alone(tmp_path: Path) -> None:
    configured = BuiltinSettings(
        calendar_url="http://calendar.example",
        crm_url="http://crm.example/leads",
        twilio=TwilioSettings(account_sid="AC" + "1" * 32, auth_token="t", from_number="+1415"),
    )
    with LocalServices(configured, LocalServicesSettings(data_dir=tmp_path)) as local:
        assert local.settings == configured
        assert local.calendar is None and local.recorder is None
        assert local.started() == []
