"""Registered tools as Agents SDK function tools; the registry and its schemas."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from agents.tool_context import ToolContext

from tools import (
    ToolCall,
    ToolInvoker,
    ToolRegistry,
    ToolRuntime,
    ToolScope,
    function_tools,
    tool,
)


@dataclass
class Host:
    tool_invoker: ToolInvoker
    tool_scope: ToolScope


def test_schema_is_strict_and_hides_the_call_parameter() -> None:
    [book] = function_tools(["book_appointment"])
    schema = book.params_json_schema
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"start", "name", "phone", "reason", "duration_min"}
    assert "call" not in schema["properties"]


def test_decorator_registers_into_a_registry() -> None:
    registry = ToolRegistry()

    @tool(registry=registry, name="echo")
    async def echo_tool(call: ToolCall, text: str, times: int = 1) -> str:
        """Say it again."""
        return text * times

    spec = registry.get("echo")
    assert spec.description == "Say it again."
    assert spec.validate({"text": "a"}) == {"text": "a", "times": 1}
    with pytest.raises(TypeError):
        tool(lambda call: None, registry=registry)  # not async


async def test_function_tool_runs_through_the_runtime(
    runtime: ToolRuntime, scope: ToolScope
) -> None:
    [availability] = function_tools(["find_availability"])
    ctx = ToolContext(
        context=Host(tool_invoker=runtime, tool_scope=scope),
        tool_name="find_availability",
        tool_call_id="call_1",
        tool_arguments='{"date": "2026-09-14", "duration_min": 60}',
    )
    out = json.loads(await availability.on_invoke_tool(ctx, ctx.tool_arguments))
    assert out["ok"] is True and "2026-09-14T09:00" in out["slots"]
    bad = json.loads(await availability.on_invoke_tool(ctx, "not json"))
    assert bad == {
        "ok": False,
        "error": "invalid_arguments",
        "message": "Some details were missing or not understood.",
        "actions": ["ask_again"],
    }
