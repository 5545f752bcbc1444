"""Named tools from definition files as SDK function tools: the seam to the tool runtime.

Every named tool goes through a `ToolRunner`. The default one, `RuntimeToolRunner`, hands the
call to a `tools.ToolInvoker`: the live `tools.ToolRuntime` (retries, deadline, idempotency,
circuit breaker, a `ToolAttempt` event per attempt) or, in a replay, the recorded log. The
model sees the registered tool's description and JSON schema, so an LLM is told exactly the
arguments the real tool accepts.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from agents import FunctionTool, RunContextWrapper

from tools import REGISTRY, ToolInvoker, ToolRegistry, ToolScope

from .state import CallState

_ANY_ARGS: dict[str, Any] = {"type": "object", "additionalProperties": True}


class ToolRunner(Protocol):
    """Runs one named tool for a call; returns `{"ok": true, ...}` or `{"ok": false, "error"}`."""

    def description(self, tool: str) -> str: ...

    def parameters(self, tool: str) -> dict[str, Any] | None:
        """The tool's JSON schema, or None to accept any object of arguments."""
        ...

    async def run(
        self, tool: str, arguments: dict[str, Any], state: CallState
    ) -> dict[str, Any]: ...


class RuntimeToolRunner:
    """Named tools through a `tools.ToolInvoker`, described by the tool registry."""

    def __init__(self, invoker: ToolInvoker, registry: ToolRegistry | None = None) -> None:
        if registry is None:
            import tools.builtin  # noqa: F401  (the default registry includes the built-ins)
        self.invoker = invoker
        self.registry = registry or REGISTRY

    def description(self, tool: str) -> str:
        return self.registry.get(tool).description

    def parameters(self, tool: str) -> dict[str, Any] | None:
        return self.registry.get(tool).json_schema

    async def run(self, tool: str, arguments: dict[str, Any], state: CallState) -> dict[str, Any]:
        scope = ToolScope(session=state.session, turn=state.turn, agent=state.agent)
        result = await self.invoker.invoke(scope, tool, arguments)
        return result.to_output()


def named_tool(tool: str, runner: ToolRunner, state: CallState) -> FunctionTool:
    """One definition-file tool as an SDK function tool that goes through `runner`."""

    async def invoke(ctx: RunContextWrapper[Any], raw: str) -> str:
        try:
            arguments = json.loads(raw or "{}")
        except ValueError:
            arguments = None
        if not isinstance(arguments, dict):
            state.failures += 1
            return json.dumps({"ok": False, "error": "arguments must be a JSON object"})
        result = await runner.run(tool, arguments, state)
        state.failures = 0 if result.get("ok") else state.failures + 1
        return json.dumps(result)

    schema = runner.parameters(tool)
    return FunctionTool(
        name=tool,
        description=runner.description(tool),
        params_json_schema=schema or _ANY_ARGS,
        on_invoke_tool=invoke,
        strict_json_schema=schema is not None,
    )
