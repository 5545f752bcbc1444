"""The SDK `Session` protocol over the backplane's Redis-stored conversation history."""

from __future__ import annotations

from typing import Any

from agents.items import TResponseInputItem

from backplane import OwnedSession


class BackplaneSession:
    """Conversation items for the SDK runner, kept in Redis by the backplane (fenced writes)."""

    session_settings = None

    def __init__(self, owned: OwnedSession) -> None:
        self._owned = owned
        self.session_id = owned.session_id

    async def get_items(self, limit: int | None = None) -> list[TResponseInputItem]:
        return await self._owned.history.get(limit)  # type: ignore[return-value]

    async def add_items(self, items: list[TResponseInputItem]) -> None:
        await self._owned.history.add([_plain(item) for item in items])

    async def pop_item(self) -> TResponseInputItem | None:
        return await self._owned.history.pop()  # type: ignore[return-value]

    async def clear_session(self) -> None:
        await self._owned.history.clear()

    async def truncate_last_reply(self, heard: str) -> bool:
        """Cut the last assistant message to what the caller heard before barging in."""
        items = await self._owned.history.get()
        for index in range(len(items) - 1, -1, -1):
            item = items[index]
            if item.get("role") == "assistant" and item.get("type", "message") == "message":
                item = dict(item)
                item["content"] = [{"type": "output_text", "text": heard, "annotations": []}]
                await self._owned.history.set(index, item)
                return True
        return False


def _plain(item: Any) -> dict[str, Any]:
    """Items may arrive as pydantic models; Redis stores plain JSON."""
    if hasattr(item, "model_dump"):
        return item.model_dump(exclude_unset=True, mode="json")
    return dict(item)


def assistant_item(text: str) -> dict[str, Any]:
    """A history item for a line the orchestrator speaks itself (the greeting)."""
    return {
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def user_item(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def transfer_items(to_agent: str, call_id: str, reason: str) -> list[dict[str, Any]]:
    """A handoff the orchestrator made (escalation), written the way the SDK writes handoffs,
    so the next agent (LLM or offline) sees it in the conversation like any other."""
    import json

    from switchboard.models import handoff_tool_name

    return [
        {
            "type": "function_call",
            "name": handoff_tool_name(to_agent),
            "call_id": call_id,
            "arguments": json.dumps({"reason": reason}),
        },
        {
            "type": "function_call_output",
            "call_id": call_id,
            "output": json.dumps({"assistant": to_agent}),
        },
    ]
