"""The replay tool: a recorded session as a timeline (terminal, JSON, HTML), exports, and the
recorded tool log that a rerun serves results from."""

from tools.replay.errors import BadExport, ReplayError
from tools.replay.record import SessionRecord, export_session, load_session, read_export
from tools.replay.recorded_tools import RecordedTools
from tools.replay.render_html import render_html
from tools.replay.render_text import render_text
from tools.replay.timeline import Entry, Timeline, Tone, build_timeline

__all__ = [
    "BadExport",
    "Entry",
    "RecordedTools",
    "ReplayError",
    "SessionRecord",
    "Timeline",
    "Tone",
    "build_timeline",
    "export_session",
    "load_session",
    "read_export",
    "render_html",
    "render_text",
]
