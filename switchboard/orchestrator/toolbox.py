"""Named tools from definition files as SDK function tools: the seam to the tool runtime.

The tool runtime (package `tools`: retries, idempotency, breaker, audit) plugs in as a
`ToolRunner`. Until a runner is given, `OfflineToolRunner` answers: deterministic results,
each recorded as a `ToolAttempt` event with outcome "ok" and `offline: true` in the result, so
chat and the sample dialogues run without services and replay still sees every call.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar, Protocol

from agents import FunctionTool, RunContextWrapper

from backplane import SessionStatus, ToolAttempt

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


class OfflineToolRunner:
    """Deterministic stand-ins for the built-in tools (chat without services, tests)."""

    _DESCRIPTIONS: ClassVar[dict[str, str]] = {
        "book_appointment": "Book an appointment once the details are known.",
        "find_availability": "Check whether a time is free.",
        "cancel_appointment": "Cancel an existing appointment.",
        "crm_writeback": "Save a record (lead, ticket) to the CRM.",
        "send_sms_confirmation": "Text the caller a confirmation.",
        "transfer_to_human": "Transfer the call to a human (queue, reason, callback number).",
    }

    def description(self, tool: str) -> str:
        return self._DESCRIPTIONS.get(tool, f"Run the {tool} tool.")

    def parameters(self, tool: str) -> dict[str, Any] | None:
        return None

    async def run(self, tool: str, arguments: dict[str, Any], state: CallState) -> dict[str, Any]:
        canonical = json.dumps(arguments, sort_keys=True)
        key = hashlib.sha256(f"{state.session.session_id}:{tool}:{canonical}".encode()).hexdigest()
        result: dict[str, Any] = {"ok": True, "offline": True, "reference": key[:8].upper()}
        if tool == "transfer_to_human":
            await state.session.set_status(SessionStatus.TRANSFERRING)
            result["queue"] = arguments.get("queue", "default")
        await state.session.append(
            ToolAttempt(
                tool=tool,
                arguments=arguments,
                result=result,
                outcome="ok",
                attempt=1,
                idempotency_key=key,
            )
        )
        return result


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
