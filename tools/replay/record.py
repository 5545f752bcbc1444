"""A recorded session: its events (and last state), from Redis or from an exported file.

The export is plain JSON so a call can be attached to a bug report and replayed elsewhere.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backplane import Backplane, Event, SessionNotFound, UnknownEvent, decode_event
from tools.replay.errors import BadExport

FORMAT = "switchboard.session"
FORMAT_VERSION = 1


@dataclass(frozen=True, kw_only=True, slots=True)
class SessionRecord:
    session_id: str
    events: list[Event]
    #: The session's state when it was read (None when the keys had already expired).
    snapshot: dict[str, Any] | None = None
    source: str = "redis"
    meta: dict[str, Any] = field(default_factory=dict)


async def load_session(bp: Backplane, session_id: str) -> SessionRecord:
    """Read a session's stream and state from the backplane."""
    events = await bp.read_events(session_id)
    try:
        snapshot: dict[str, Any] | None = _plain(await bp.snapshot(session_id))
    except SessionNotFound:
        snapshot = None
    if not events and snapshot is None:
        raise SessionNotFound(session_id)
    return SessionRecord(session_id=session_id, events=events, snapshot=snapshot)


def event_to_wire(event: Event) -> dict[str, Any]:
    """One event as exported: envelope + kind + data (the stream entry's own shape)."""
    if isinstance(event, UnknownEvent):
        kind, data = event.raw_kind, event.data
    else:
        kind, data = event.KIND, event.payload()
    return {
        "id": event.id,
        "kind": kind,
        "v": event.v,
        "turn": event.turn,
        "at": event.at,
        "data": data,
    }


def event_from_wire(entry: dict[str, Any]) -> Event:
    fields = {
        "kind": str(entry["kind"]),
        "v": str(entry.get("v", 1)),
        "turn": str(entry.get("turn", 0)),
        "at": repr(float(entry.get("at", 0.0))),
        "data": json.dumps(entry.get("data") or {}),
    }
    return decode_event(str(entry.get("id") or ""), fields)


def export_session(record: SessionRecord, path: Path) -> None:
    doc = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "session_id": record.session_id,
        "snapshot": record.snapshot,
        "events": [event_to_wire(e) for e in record.events],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_export(path: Path) -> SessionRecord:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadExport(str(path), f"cannot read JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BadExport(str(path), f"not a {FORMAT} file")
    if int(doc.get("version", 0)) > FORMAT_VERSION:
        raise BadExport(str(path), f"format version {doc['version']} is newer than this code")
    try:
        events = [event_from_wire(e) for e in doc["events"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise BadExport(str(path), f"malformed event ({exc})") from None
    return SessionRecord(
        session_id=str(doc["session_id"]),
        events=events,
        snapshot=doc.get("snapshot"),
        source=str(path),
    )


def _plain(value: Any) -> Any:
    """Dataclasses/enums/tuples to JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
