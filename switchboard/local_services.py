"""Local stand-ins for the services behind the built-in tools, for offline runs.

`switchboard chat`, the demo and tests run the real tool runtime against real HTTP services on
127.0.0.1: whatever the environment does not configure is started here.

- No `SWITCHBOARD_CALENDAR_URL`: our calendar service (`tools.calendar_service`), with its
  SQLite file under the data dir (`SWITCHBOARD_DATA_DIR`, default `var/`), so bookings made in
  one chat are there for the next (to reschedule or cancel).
- No CRM URL or no Twilio credentials: a recorder (`tools.testing.RecordingServer`) that
  answers like the CRM and Twilio's REST API and keeps what it was sent. Nothing leaves the
  machine; `recorded()` shows what would have.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from backplane.embedded import default_data_dir
from tools import BuiltinSettings, TwilioSettings
from tools.calendar_service import CalendarServer, CalendarSettings, Hours
from tools.testing import Recorded, RecordingServer

OPEN_EVERY_DAY = Hours(open=time(8, 0), close=time(20, 0), weekdays=(0, 1, 2, 3, 4, 5, 6))
"""Local calendar hours: wide enough for every vertical's sample dialogues (clinic weekdays,
salon Saturdays, showings at weekends). A real deployment's calendar has its own."""

LOCAL_TWILIO = TwilioSettings(
    account_sid="AC" + "0" * 32,
    auth_token="local",
    from_number="+15005550006",
    human_number="+15005550009",
)
"""Credentials the recorder accepts (Twilio's documented test numbers; never sent anywhere)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class LocalServicesSettings:
    """What to start when the environment leaves a service unconfigured."""

    data_dir: Path = field(default_factory=default_data_dir)
    """The calendar's SQLite file goes to `<data_dir>/calendar/calendar.sqlite`."""
    hours: Hours = OPEN_EVERY_DAY
    """Opening hours of the local calendar."""


class LocalServices:
    """Starts local services for what `configured` lacks; `settings` is the result to give to
    `OrchestratorSettings(services=...)`. Use as a context manager (servers run in threads)."""

    def __init__(
        self,
        configured: BuiltinSettings | None = None,
        options: LocalServicesSettings | None = None,
    ) -> None:
        self.configured = configured if configured is not None else BuiltinSettings.from_env()
        self.options = options or LocalServicesSettings()
        self.calendar: CalendarServer | None = None
        self.recorder: RecordingServer | None = None
        self.settings = self.configured

    @property
    def calendar_db(self) -> Path:
        return self.options.data_dir / "calendar" / "calendar.sqlite"

    def start(self) -> BuiltinSettings:
        """Start what is missing; returns the settings pointing at everything."""
        settings = self.configured
        try:
            if not settings.calendar_url:
                self.calendar_db.parent.mkdir(parents=True, exist_ok=True)
                self.calendar = CalendarServer(
                    CalendarSettings(db_path=str(self.calendar_db), hours=self.options.hours)
                ).start()
                settings = dataclasses.replace(settings, calendar_url=self.calendar.url)
            twilio_missing = not (settings.twilio.account_sid and settings.twilio.from_number)
            if not settings.crm_url or twilio_missing:
                self.recorder = RecordingServer().start()
            if not settings.crm_url and self.recorder is not None:
                settings = dataclasses.replace(settings, crm_url=f"{self.recorder.url}/crm")
            if twilio_missing and self.recorder is not None:
                twilio = dataclasses.replace(LOCAL_TWILIO, api_base=self.recorder.url)
                settings = dataclasses.replace(settings, twilio=twilio)
        except BaseException:
            self.stop()
            raise
        self.settings = settings
        return settings

    def recorded(self) -> list[Recorded]:
        """What the recorder received (texts, call updates, CRM records), in order."""
        return list(self.recorder.requests) if self.recorder is not None else []

    def started(self) -> list[str]:
        """One line per local service, for a status line."""
        lines = []
        if self.calendar is not None:
            lines.append(f"calendar {self.calendar.url} ({self.calendar_db})")
        if self.recorder is not None:
            lines.append(f"CRM/Twilio recorder {self.recorder.url} (nothing is sent out)")
        return lines

    def stop(self) -> None:
        if self.recorder is not None:
            self.recorder.stop()
            self.recorder = None
        if self.calendar is not None:
            self.calendar.stop()
            self.calendar = None

    def __enter__(self) -> LocalServices:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
