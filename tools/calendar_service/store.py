"""The calendar's SQLite store: bookings, availability, conflicts, lookups and changes.

Times are the practice's local wall-clock times, minute precision ("2026-09-15T09:30").
A booking carries the client's idempotency key; the same key books once, whatever the retries.
Callers do not know booking ids on the phone, so a booking can also be found, cancelled and
moved by the client's phone number and its start time; those changes are idempotent too
(a retried cancel or move answers with the booking as the first attempt left it).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bookings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'booked',
    idempotency_key TEXT UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bookings_start ON bookings(start);
CREATE INDEX IF NOT EXISTS bookings_phone ON bookings(phone);
"""

FMT = "%Y-%m-%dT%H:%M"


class CalendarError(Exception):
    """A booking request the calendar refuses; `code` is the short machine reason."""

    def __init__(self, code: str, status: int) -> None:
        self.code = code
        self.status = status
        super().__init__(code)


@dataclass(frozen=True, kw_only=True, slots=True)
class Hours:
    """Opening hours: bookable minutes on weekdays in [open, close)."""

    open: time = time(9, 0)
    close: time = time(17, 0)
    slot_min: int = 30
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)


@dataclass(frozen=True, kw_only=True, slots=True)
class Booking:
    id: int
    start: str
    end: str
    name: str
    phone: str
    reason: str
    status: str
    idempotency_key: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class CalendarStore:
    def __init__(self, path: Path | str = ":memory:", hours: Hours | None = None) -> None:
        self.hours = hours or Hours()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def _active_between(
        self, start: datetime, end: datetime, *, ignore: int | None = None
    ) -> list[Booking]:
        rows = self._db.execute(
            "SELECT * FROM bookings WHERE status = 'booked' AND start < ? AND end > ?"
            " AND id IS NOT ?",
            (end.strftime(FMT), start.strftime(FMT), ignore),
        ).fetchall()
        return [_booking(r) for r in rows]

    def _check_hours(self, begin: datetime, end: datetime) -> None:
        h = self.hours
        if (
            begin.weekday() not in h.weekdays
            or begin.time() < h.open
            or end > datetime.combine(begin.date(), h.close)
        ):
            raise CalendarError("outside_hours", 422)

    def _at(self, phone: str, start: datetime) -> list[Booking]:
        """The client's bookings starting at `start`, active ones first, newest first."""
        rows = self._db.execute(
            "SELECT * FROM bookings WHERE phone = ? AND start = ?"
            " ORDER BY status = 'booked' DESC, id DESC",
            (phone, start.strftime(FMT)),
        ).fetchall()
        return [_booking(r) for r in rows]

    def availability(self, day: date, duration_min: int) -> list[str]:
        """Free start times on `day` for an appointment of `duration_min` minutes."""
        h = self.hours
        if day.weekday() not in h.weekdays:
            return []
        slot = datetime.combine(day, h.open)
        close = datetime.combine(day, h.close)
        with self._lock:
            taken = self._active_between(slot, close)
        free = []
        while slot + timedelta(minutes=duration_min) <= close:
            end = slot + timedelta(minutes=duration_min)
            if not any(_overlaps(slot, end, b) for b in taken):
                free.append(slot.strftime(FMT))
            slot += timedelta(minutes=h.slot_min)
        return free

    def book(
        self,
        *,
        start: str,
        duration_min: int,
        name: str,
        phone: str,
        reason: str = "",
        idempotency_key: str | None = None,
    ) -> tuple[Booking, bool]:
        """Book; returns (booking, created). The same idempotency key returns the first one."""
        begin = _parse(start)
        end = begin + timedelta(minutes=duration_min)
        self._check_hours(begin, end)
        with self._lock:
            if idempotency_key:
                row = self._db.execute(
                    "SELECT * FROM bookings WHERE idempotency_key = ?", (idempotency_key,)
                ).fetchone()
                if row is not None:
                    return _booking(row), False
            if self._active_between(begin, end):
                raise CalendarError("slot_taken", 409)
            cur = self._db.execute(
                "INSERT INTO bookings (start, end, name, phone, reason, idempotency_key,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    begin.strftime(FMT),
                    end.strftime(FMT),
                    name,
                    phone,
                    reason,
                    idempotency_key,
                    datetime.now().isoformat(timespec="seconds"),
                ),
            )
            row = self._db.execute(
                "SELECT * FROM bookings WHERE id = ?", (cur.lastrowid,)
            ).fetchone()
        return _booking(row), True

    def cancel(self, booking_id: int) -> Booking:
        with self._lock:
            self._db.execute("UPDATE bookings SET status = 'cancelled' WHERE id = ?", (booking_id,))
            row = self._db.execute("SELECT * FROM bookings WHERE id = ?", (booking_id,)).fetchone()
        if row is None:
            raise CalendarError("not_found", 404)
        return _booking(row)

    def cancel_at(self, *, phone: str, start: str) -> Booking:
        """Cancel the client's booking at `start`; an already cancelled one is returned as is
        (a retry after a lost response must not turn into not_found)."""
        begin = _parse(start)
        with self._lock:
            found = self._at(phone, begin)
            if not found:
                raise CalendarError("not_found", 404)
            booking = found[0]
            if booking.status == "booked":
                self._db.execute(
                    "UPDATE bookings SET status = 'cancelled' WHERE id = ?", (booking.id,)
                )
                booking = _booking(self._row(booking.id))
        return booking

    def move(self, *, phone: str, start: str, new_start: str) -> Booking:
        """Move the client's booking at `start` to `new_start`, same length, in one step (the
        old time is never released before the new one is secured)."""
        begin, target = _parse(start), _parse(new_start)
        with self._lock:
            active = [b for b in self._at(phone, begin) if b.status == "booked"]
            if not active:
                # Already moved by an attempt whose response was lost: answer the same.
                moved = [b for b in self._at(phone, target) if b.status == "booked"]
                if moved and begin != target:
                    return moved[0]
                raise CalendarError("not_found", 404)
            booking = active[0]
            length = datetime.strptime(booking.end, FMT) - datetime.strptime(booking.start, FMT)
            end = target + length
            self._check_hours(target, end)
            if self._active_between(target, end, ignore=booking.id):
                raise CalendarError("slot_taken", 409)
            self._db.execute(
                "UPDATE bookings SET start = ?, end = ? WHERE id = ?",
                (target.strftime(FMT), end.strftime(FMT), booking.id),
            )
            return _booking(self._row(booking.id))

    def _row(self, booking_id: int) -> sqlite3.Row:
        return self._db.execute("SELECT * FROM bookings WHERE id = ?", (booking_id,)).fetchone()

    def bookings(
        self, *, phone: str | None = None, start: str | None = None, status: str | None = None
    ) -> list[Booking]:
        """Bookings in id order, optionally only the client's / at a start / in a status."""
        where, args = [], []
        for column, value in (("phone", phone), ("status", status)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        if start:
            where.append("start = ?")
            args.append(_parse(start).strftime(FMT))
        sql = "SELECT * FROM bookings" + (" WHERE " + " AND ".join(where) if where else "")
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY id", args).fetchall()
        return [_booking(r) for r in rows]


def _parse(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value).replace(second=0, microsecond=0, tzinfo=None)
    except ValueError:
        raise CalendarError("bad_time", 422) from None


def _overlaps(start: datetime, end: datetime, b: Booking) -> bool:
    return start < datetime.strptime(b.end, FMT) and end > datetime.strptime(b.start, FMT)


def _booking(row: sqlite3.Row) -> Booking:
    return Booking(
        id=row["id"],
        start=row["start"],
        end=row["end"],
        name=row["name"],
        phone=row["phone"],
        reason=row["reason"],
        status=row["status"],
        idempotency_key=row["idempotency_key"],
    )
