"""Registered tools as OpenAI Agents SDK function tools.

The SDK calls `on_invoke_tool(ctx, json_args)`; the run context (`ctx.context`, the
orchestrator's object) must be a `ToolHost`: it names the invoker (live runtime or replay log)
and the scope (session, turn, agent) of the current turn. The model sees `ToolResult.for_model()`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from agents import FunctionTool
from agents.tool_context import ToolContext

from tools.registry import REGISTRY, ToolRegistry, ToolSpec
from tools.runtime import ToolInvoker, ToolScope


@runtime_checkable
class ToolHost(Protocol):
    """What the SDK run context provides to tools."""

    @property
    def tool_invoker(self) -> ToolInvoker: ...

    @property
    def tool_scope(self) -> ToolScope: ...


def as_function_tool(spec: ToolSpec) -> FunctionTool:
    async def on_invoke(ctx: ToolContext[Any], raw: str) -> str:
        host = ctx.context
        if not isinstance(host, ToolHost):
            raise TypeError("the run context must provide tool_invoker and tool_scope")
        try:
            arguments = json.loads(raw or "{}")
        except json.JSONDecodeError:
            arguments = {"__unparsed__": True}  # validation turns this into a typed failure
        if not isinstance(arguments, dict):
            arguments = {"__unparsed__": True}
        result = await host.tool_invoker.invoke(host.tool_scope, spec.name, arguments)
        return result.for_model()

    return FunctionTool(
        name=spec.name,
        description=spec.description,
        params_json_schema=spec.json_schema,
        on_invoke_tool=on_invoke,
        strict_json_schema=True,
    )


def function_tools(
    names: Iterable[str], *, registry: ToolRegistry | None = None
) -> list[FunctionTool]:
    """SDK tools for the named registered tools (UnknownTool for a name not registered)."""
    import tools.builtin  # noqa: F401  (registers the built-ins)

    reg = registry or REGISTRY
    return [as_function_tool(reg.get(name)) for name in names]
