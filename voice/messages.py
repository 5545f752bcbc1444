"""Twilio Media Streams JSON messages, both directions, as pydantic models.

These are the untrusted edge: `parse_inbound` turns one WebSocket text frame into a typed message
or raises `ProtocolError` (bad JSON, unknown event, missing fields, bad base64, oversized), so the
stream handler can log and skip it. The same models serve the simulator, which speaks the other
side (`parse_outbound`). Field names follow Twilio's camelCase on the wire.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from voice.errors import ProtocolError

MAX_MESSAGE_CHARS = 64_000
"""Largest text frame accepted; a 20 ms frame is ~400 characters, so this is generous."""
MAX_PAYLOAD_BYTES = 16_000
"""Largest decoded audio payload accepted in one inbound `media` message (2 s)."""


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class MediaFormat(_Wire):
    encoding: str = "audio/x-mulaw"
    sample_rate: int = Field(8000, alias="sampleRate")
    channels: int = 1


class StartInfo(_Wire):
    account_sid: str = Field("", alias="accountSid")
    call_sid: str = Field(alias="callSid")
    stream_sid: str = Field(alias="streamSid")
    tracks: list[str] = Field(default_factory=lambda: ["inbound"])
    custom_parameters: dict[str, str] = Field(default_factory=dict, alias="customParameters")
    media_format: MediaFormat = Field(default_factory=MediaFormat, alias="mediaFormat")


class Connected(_Wire):
    event: Literal["connected"] = "connected"
    protocol: str = "Call"
    version: str = "1.0.0"


class Start(_Wire):
    event: Literal["start"] = "start"
    sequence_number: str = Field("1", alias="sequenceNumber")
    stream_sid: str = Field(alias="streamSid")
    start: StartInfo


class MediaInfo(_Wire):
    track: str = "inbound"
    chunk: str = "1"
    timestamp: str = "0"
    payload: str


class Media(_Wire):
    event: Literal["media"] = "media"
    sequence_number: str = Field("0", alias="sequenceNumber")
    stream_sid: str = Field("", alias="streamSid")
    media: MediaInfo

    def audio(self) -> bytes:
        """The decoded mu-law payload; raises ProtocolError if it is not usable audio."""
        try:
            data = base64.b64decode(self.media.payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ProtocolError(f"bad base64 payload ({exc})", event="media") from exc
        if not data:
            raise ProtocolError("empty payload", event="media")
        if len(data) > MAX_PAYLOAD_BYTES:
            raise ProtocolError(f"payload of {len(data)} bytes is too large", event="media")
        return data

    @property
    def timestamp_ms(self) -> int:
        return int(self.media.timestamp) if self.media.timestamp.isdigit() else 0


class DtmfInfo(_Wire):
    track: str = "inbound_track"
    digit: str


class Dtmf(_Wire):
    event: Literal["dtmf"] = "dtmf"
    sequence_number: str = Field("0", alias="sequenceNumber")
    stream_sid: str = Field("", alias="streamSid")
    dtmf: DtmfInfo


class MarkInfo(_Wire):
    name: str


class Mark(_Wire):
    """A mark: echoed by Twilio inbound, or sent by us outbound (no sequence number then)."""

    event: Literal["mark"] = "mark"
    sequence_number: str | None = Field(None, alias="sequenceNumber")
    stream_sid: str = Field("", alias="streamSid")
    mark: MarkInfo


class StopInfo(_Wire):
    account_sid: str = Field("", alias="accountSid")
    call_sid: str = Field("", alias="callSid")


class Stop(_Wire):
    event: Literal["stop"] = "stop"
    sequence_number: str = Field("0", alias="sequenceNumber")
    stream_sid: str = Field("", alias="streamSid")
    stop: StopInfo = Field(default_factory=StopInfo)


class OutMediaInfo(_Wire):
    payload: str


class OutMedia(_Wire):
    """Audio we send: base64 mu-law, queued and played in order by Twilio."""

    event: Literal["media"] = "media"
    stream_sid: str = Field(alias="streamSid")
    media: OutMediaInfo

    @classmethod
    def of(cls, stream_sid: str, ulaw: bytes) -> OutMedia:
        payload = base64.b64encode(ulaw).decode("ascii")
        return cls(streamSid=stream_sid, media=OutMediaInfo(payload=payload))

    def audio(self) -> bytes:
        return base64.b64decode(self.media.payload)


class Clear(_Wire):
    """Drop all audio queued at Twilio; pending marks come back at once."""

    event: Literal["clear"] = "clear"
    stream_sid: str = Field(alias="streamSid")


InboundMessage = Annotated[
    Connected | Start | Media | Dtmf | Mark | Stop, Field(discriminator="event")
]
OutboundMessage = Annotated[OutMedia | Mark | Clear, Field(discriminator="event")]

_INBOUND: TypeAdapter[InboundMessage] = TypeAdapter(InboundMessage)
_OUTBOUND: TypeAdapter[OutboundMessage] = TypeAdapter(OutboundMessage)


def _parse(adapter: TypeAdapter, text: str | bytes):  # type: ignore[no-untyped-def]
    if len(text) > MAX_MESSAGE_CHARS:
        raise ProtocolError(f"message of {len(text)} characters is too large")
    try:
        return adapter.validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        kind = first["type"]
        if kind == "json_invalid":
            raise ProtocolError("malformed JSON") from exc
        if kind in {"union_tag_invalid", "union_tag_not_found", "model_type"}:
            raise ProtocolError(f"unknown or missing event ({first['msg']})") from exc
        loc = first["loc"]
        if not loc:
            raise ProtocolError(f"not an event object ({first['msg']})") from exc
        where = ".".join(str(p) for p in loc[1:]) or "message"
        raise ProtocolError(f"{where}: {first['msg']}", event=str(loc[0])) from exc


def parse_inbound(text: str | bytes) -> InboundMessage:
    """Parse one frame from Twilio; raises ProtocolError when it cannot be used."""
    return _parse(_INBOUND, text)


def parse_outbound(text: str | bytes) -> OutboundMessage:
    """Parse one frame sent to Twilio (the simulator's side)."""
    return _parse(_OUTBOUND, text)


def dump(message: _Wire) -> str:
    """Serialise with Twilio's field names, leaving out unset optional fields."""
    return message.model_dump_json(by_alias=True, exclude_none=True)


__all__ = [
    "MAX_MESSAGE_CHARS",
    "MAX_PAYLOAD_BYTES",
    "Clear",
    "Connected",
    "Dtmf",
    "DtmfInfo",
    "InboundMessage",
    "Mark",
    "MarkInfo",
    "Media",
    "MediaFormat",
    "MediaInfo",
    "OutMedia",
    "OutboundMessage",
    "Start",
    "StartInfo",
    "Stop",
    "StopInfo",
    "dump",
    "parse_inbound",
    "parse_outbound",
]
