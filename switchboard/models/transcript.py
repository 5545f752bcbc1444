"""Read the SDK input items (the conversation so far) as caller exchanges.

An exchange is one caller message plus everything after it until the next one: the tool
calls (slot sets, handoffs, tools) with their outputs, and the agents' replies.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .contract import ToolOutcome


@dataclass(kw_only=True, slots=True)
class Call:
    name: str
    arguments: dict[str, Any]
    call_id: str
    output: Any = None

    @property
    def outcome(self) -> ToolOutcome:
        return ToolOutcome.parse(self.output)


@dataclass(kw_only=True, slots=True)
class Exchange:
    caller: str
    calls: list[Call] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)


@dataclass(kw_only=True, slots=True)
class Transcript:
    opening: list[str] = field(default_factory=list)
    """Assistant lines before the first caller message (the greeting)."""
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def current(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None

    def last_reply_before_current(self) -> str:
        """What the agent said just before the caller's current message."""
        for exchange in reversed(self.exchanges[:-1]):
            if exchange.replies:
                return exchange.replies[-1]
        return self.opening[-1] if self.opening else ""

    def all_calls(self) -> Iterable[Call]:
        for exchange in self.exchanges:
            yield from exchange.calls


def _get(item: Any, key: str) -> Any:
    if isinstance(item, dict):
        return item.get(key)
    return getattr(item, key, None)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = []
    for part in content or []:
        text = _get(part, "text")
        if isinstance(text, str):
            parts.append(text)
    return "".join(parts)


def parse(items: str | list[Any]) -> Transcript:
    """Group input items into exchanges (unknown item types are ignored)."""
    out = Transcript()
    if isinstance(items, str):
        out.exchanges.append(Exchange(caller=items))
        return out
    calls: dict[str, Call] = {}
    for item in items:
        kind, role = _get(item, "type"), _get(item, "role")
        if role == "user" and kind in (None, "message"):
            out.exchanges.append(Exchange(caller=_text(_get(item, "content"))))
        elif role == "assistant" and kind in (None, "message"):
            text = _text(_get(item, "content"))
            (out.current.replies if out.current else out.opening).append(text)
        elif kind == "function_call" and out.current is not None:
            try:
                arguments = json.loads(_get(item, "arguments") or "{}")
            except ValueError:
                arguments = {}
            call = Call(name=_get(item, "name"), arguments=arguments, call_id=_get(item, "call_id"))
            calls[call.call_id] = call
            out.current.calls.append(call)
        elif kind == "function_call_output":
            call_id = _get(item, "call_id")
            if call_id in calls:
                calls[call_id].output = _get(item, "output")
    return out
