"""The tool registry: async functions registered by name, with a JSON schema for their arguments.

A tool is `async def name(call: ToolCall, *, arg: type, ...) -> JSON value`. The first parameter
receives the invocation context (idempotency key, session, dependencies); the others become the
tool's JSON-schema arguments (pydantic validates them). Definition files name tools; the
definitions loader checks names against `known_tools()`.
"""

from __future__ import annotations

import importlib
import inspect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, get_type_hints

from agents.strict_schema import ensure_strict_json_schema
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from tools.errors import InvalidArguments, UnknownTool
from tools.settings import ToolSettings

if TYPE_CHECKING:
    from backplane import OwnedSession
    from tools.deps import ToolDeps

ToolFunc = Callable[..., Awaitable[Any]]


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolCall:
    """What a tool function learns about the invocation it serves."""

    tool: str
    session_id: str
    turn: int
    agent: str
    #: 1 for the first attempt; a tool sees the same key on every attempt.
    attempt: int
    #: Send it to the service (e.g. an `Idempotency-Key` header) so it can deduplicate.
    idempotency_key: str
    #: `time.monotonic()` value by which the attempt must be over.
    deadline: float
    deps: ToolDeps
    #: The owned session, for tools that change call state (transfer to a human).
    session: OwnedSession | None = None

    def remaining(self) -> float:
        """Seconds left for this attempt (use it as the HTTP timeout)."""
        return max(0.0, self.deadline - time.monotonic())


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolSpec:
    """A registered tool."""

    name: str
    description: str
    func: ToolFunc
    params: type[BaseModel]
    #: Strict JSON schema of the arguments, as the model sees it.
    json_schema: dict[str, Any]
    settings: ToolSettings = field(default_factory=ToolSettings)

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check and normalise arguments; InvalidArguments names the bad fields (not values)."""
        try:
            model = self.params.model_validate(arguments)
        except ValidationError as exc:
            fields = sorted({".".join(str(p) for p in err["loc"]) for err in exc.errors()})
            raise InvalidArguments(self.name, fields) from None
        return model.model_dump(mode="json")


class ToolRegistry:
    """Tools by name."""

    def __init__(self) -> None:
        self._tools: dict[str, ToolSpec] = {}

    def add(self, spec: ToolSpec, *, replace: bool = False) -> ToolSpec:
        if (
            spec.name in self._tools
            and not replace
            and self._tools[spec.name].func is not spec.func
        ):
            raise ValueError(f"tool {spec.name!r} is already registered")
        self._tools[spec.name] = spec
        return spec

    def get(self, name: str) -> ToolSpec:
        try:
            return self._tools[name]
        except KeyError:
            raise UnknownTool(name) from None

    def names(self) -> frozenset[str]:
        return frozenset(self._tools)

    def __contains__(self, name: object) -> bool:
        return name in self._tools


#: The process-wide registry; built-in tools register here on import of `tools.builtin`.
REGISTRY = ToolRegistry()


def build_spec(
    func: ToolFunc,
    *,
    name: str | None = None,
    description: str | None = None,
    settings: ToolSettings | None = None,
) -> ToolSpec:
    """Describe `func` as a tool: name, description (docstring) and argument schema."""
    if not inspect.iscoroutinefunction(func):
        raise TypeError(f"tool {func.__name__!r} must be an async function")
    params = list(inspect.signature(func).parameters.values())
    if not params:
        raise TypeError(f"tool {func.__name__!r} must take the ToolCall as first parameter")
    hints = get_type_hints(func, include_extras=True)
    fields: dict[str, Any] = {}
    for p in params[1:]:
        if p.name not in hints:
            raise TypeError(f"tool {func.__name__!r}: parameter {p.name!r} needs a type hint")
        default = ... if p.default is inspect.Parameter.empty else p.default
        fields[p.name] = (hints[p.name], default)
    tool_name = name or func.__name__
    model = create_model(  # type: ignore[call-overload]
        f"{tool_name}_args", __config__=ConfigDict(extra="forbid"), **fields
    )
    doc = inspect.getdoc(func) or ""
    return ToolSpec(
        name=tool_name,
        description=description or doc.split("\n\n")[0].strip() or tool_name,
        func=func,
        params=model,
        json_schema=ensure_strict_json_schema(model.model_json_schema()),
        settings=settings or ToolSettings(),
    )


def tool(
    func: ToolFunc | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    settings: ToolSettings | None = None,
    registry: ToolRegistry | None = None,
) -> Any:
    """Decorator: register an async tool function (`@tool` or `@tool(name=..., settings=...)`)."""

    def register(f: ToolFunc) -> ToolFunc:
        spec = build_spec(f, name=name, description=description, settings=settings)
        (registry or REGISTRY).add(spec)
        return f

    return register(func) if func is not None else register


def known_tools() -> frozenset[str]:
    """Names of every registered tool, built-ins included (definition files are checked
    against this)."""
    importlib.import_module("tools.builtin")
    return REGISTRY.names()
