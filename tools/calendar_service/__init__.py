"""A small real calendar service (HTTP + SQLite) that the booking tools talk to."""

from tools.calendar_service.app import create_app
from tools.calendar_service.faults import Fault, FaultPlan
from tools.calendar_service.server import CalendarServer, CalendarSettings
from tools.calendar_service.store import Booking, CalendarError, CalendarStore, Hours

__all__ = [
    "Booking",
    "CalendarError",
    "CalendarServer",
    "CalendarSettings",
    "CalendarStore",
    "Fault",
    "FaultPlan",
    "Hours",
    "create_app",
]
