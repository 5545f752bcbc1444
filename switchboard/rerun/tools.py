"""The orchestrator's `ToolRunner` over a `tools` invoker (the live runtime or a recorded log).

Descriptions and schemas come from a base runner (what the model saw in the recorded call);
results go through the invoker.
"""

from __future__ import annotations

from typing import Any

from switchboard.orchestrator import CallState, OfflineToolRunner, ToolRunner
from tools import ToolInvoker, ToolScope


class InvokerToolRunner:
    def __init__(self, invoker: ToolInvoker, base: ToolRunner | None = None) -> None:
        self.invoker = invoker
        self.base = base or OfflineToolRunner()

    def description(self, tool: str) -> str:
        return self.base.description(tool)

    def parameters(self, tool: str) -> dict[str, Any] | None:
        return self.base.parameters(tool)

    async def run(self, tool: str, arguments: dict[str, Any], state: CallState) -> dict[str, Any]:
        scope = ToolScope(session=state.session, turn=state.turn, agent=state.agent)
        result = await self.invoker.invoke(scope, tool, arguments)
        return result.to_output()
