"""Running the calendar service on 127.0.0.1: in a background thread (tests, demo) or as a
process (`python -m tools.calendar_service`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tools.calendar_service.app import create_app
from tools.calendar_service.faults import FaultQueue
from tools.calendar_service.store import CalendarStore, Hours
from tools.localserver import ThreadedServer


@dataclass(frozen=True, kw_only=True, slots=True)
class CalendarSettings:
    host: str = "127.0.0.1"
    #: 0 picks a free port.
    port: int = 0
    #: SQLite file; ":memory:" keeps nothing.
    db_path: str = ":memory:"
    hours: Hours = field(default_factory=Hours)
    #: Enable the `/_faults` endpoint (tests and the demo's flaky mode only).
    faults: bool = False


class CalendarServer:
    """A calendar service in a thread of this process, with its own event loop."""

    def __init__(self, settings: CalendarSettings | None = None) -> None:
        self.settings = settings or CalendarSettings()
        self.store = CalendarStore(Path(self.settings.db_path), self.settings.hours)
        self.faults = FaultQueue() if self.settings.faults else None
        self._http = ThreadedServer(
            create_app(self.store, faults=self.faults),
            host=self.settings.host,
            port=self.settings.port,
        )

    @property
    def url(self) -> str:
        return self._http.url

    def start(self) -> CalendarServer:
        self._http.start()
        return self

    def stop(self) -> None:
        self._http.stop()
        self.store.close()  # closing twice is harmless in sqlite3

    def __enter__(self) -> CalendarServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
