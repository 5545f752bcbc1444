"""The OpenAI-compatible provider against a local fake Chat Completions server (real HTTP)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from backplane import Backplane, Handoff, ManualClock, ModelOutput
from switchboard.definitions import load_team
from switchboard.models import LLMSettings
from switchboard.orchestrator import Orchestrator, OrchestratorSettings

CLINIC = load_team(Path(__file__).resolve().parents[2] / "agents" / "healthcare")


class FakeLLM:
    """Speaks the Chat Completions wire format (JSON and SSE); replies come from a script.

    Each script step is text (a reply), a list of (tool name, arguments) tool calls, or an
    int HTTP status to fail with. Every request body is kept for assertions.
    """

    def __init__(self, steps: list[Any]) -> None:
        self.steps = list(steps)
        self.requests: list[dict[str, Any]] = []
        self.app = FastAPI()
        self.app.post("/v1/chat/completions")(self.complete)

    def _chunks(self, step: Any) -> list[dict[str, Any]]:
        if isinstance(step, str):
            deltas = [{"role": "assistant", "content": ""}]
            deltas += [{"content": word + " "} for word in step.split()]
            return [
                *({"delta": d, "finish_reason": None} for d in deltas),
                {"delta": {}, "finish_reason": "stop"},
            ]
        calls = [
            {
                "index": i,
                "id": f"call_{len(self.requests)}_{i}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
            for i, (name, args) in enumerate(step)
        ]
        return [
            {"delta": {"role": "assistant", "tool_calls": calls}, "finish_reason": None},
            {"delta": {}, "finish_reason": "tool_calls"},
        ]

    async def complete(self, request: Request) -> Any:
        body = await request.json()
        self.requests.append(body)
        step = self.steps.pop(0)
        if isinstance(step, int):
            return JSONResponse(
                {"error": {"message": "overloaded", "type": "server_error"}}, status_code=step
            )
        base = {"id": f"chatcmpl-{len(self.requests)}", "created": 0, "model": body["model"]}
        chunks = self._chunks(step)
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": None}
            for chunk in chunks:
                delta = chunk["delta"]
                if delta.get("content"):
                    message["content"] = (message["content"] or "") + delta["content"]
                if delta.get("tool_calls"):
                    message["tool_calls"] = [
                        {k: v for k, v in c.items() if k != "index"} for c in delta["tool_calls"]
                    ]
            return {
                **base,
                "object": "chat.completion",
                "usage": _USAGE,
                "choices": [
                    {"index": 0, "message": message, "finish_reason": chunks[-1]["finish_reason"]}
                ],
            }

        async def sse() -> AsyncIterator[str]:
            for chunk in chunks:
                data = {
                    **base,
                    "object": "chat.completion.chunk",
                    "choices": [{"index": 0, **chunk}],
                }
                yield f"data: {json.dumps(data)}\n\n"
            usage = {**base, "object": "chat.completion.chunk", "choices": [], "usage": _USAGE}
            yield f"data: {json.dumps(usage)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(sse(), media_type="text/event-stream")


_USAGE = {"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60}


@pytest.fixture
async def fake_llm_server(unused_tcp_port: int) -> AsyncIterator[tuple[FakeLLM, str]]:
    llm = FakeLLM([])
    config = uvicorn.Config(llm.app, host="127.0.0.1", port=unused_tcp_port, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.02)
    yield llm, f"http://127.0.0.1:{unused_tcp_port}/v1"
    server.should_exit = True
    await task


def _settings(base_url: str) -> OrchestratorSettings:
    llm = LLMSettings(api_key="sk-test", base_url=base_url, model="fake-llm", max_retries=0)
    return OrchestratorSettings(llm=llm)


async def _session(backplane: Backplane, sid: str) -> ManualClock:
    clock = ManualClock(datetime(2025, 3, 5, 10, 0, tzinfo=CLINIC.tz).timestamp())
    await backplane.create_session(sid, agent="reception", clock=clock)
    return clock


async def test_llm_sets_slots_and_hands_off_over_http(
    fake_llm_server: tuple[FakeLLM, str], backplane: Backplane
) -> None:
    llm, url = fake_llm_server
    llm.steps += [
        [("set_slot", {"name": "patient_name", "value": "Dana Whitfield"})],
        "Thanks Dana. What is your date of birth?",
        [("set_slot", {"name": "date_of_birth", "value": "3 March 1985"})],
        [("transfer_to_scheduling", {"reason": "wants to book a physical"})],
        "Hi Dana, this is Sam in scheduling. What day works for you?",
    ]
    clock = await _session(backplane, "llm-http")
    async with backplane.own("llm-http", owner="w1", clock=clock) as owned:
        conv = await Orchestrator(CLINIC, _settings(url))(owned, resumed=False)
        first = await conv.turn("Hi, this is Dana Whitfield, I'd like to book a physical.")
        assert first.strip() == "Thanks Dana. What is your date of birth?"
        second = await conv.turn("March 3rd, 1985.")
        assert "scheduling" in second
        snap = await owned.snapshot()
    assert snap.agent == "scheduling"
    assert snap.slot_values() == {"patient_name": "Dana Whitfield", "date_of_birth": "1985-03-03"}
    assert not llm.steps, "every scripted reply was requested"
    # The wire: streamed requests carrying our tools, handoffs and rendered instructions.
    assert all(r["stream"] is True and r["model"] == "fake-llm" for r in llm.requests)
    tools = {t["function"]["name"] for t in llm.requests[0]["tools"]}
    assert {"set_slot", "transfer_to_scheduling", "transfer_to_billing"} <= tools
    tool_reply = llm.requests[1]["messages"][-1]
    assert tool_reply["role"] == "tool" and '"ok": true' in tool_reply["content"]
    specialist_prompt = llm.requests[4]["messages"][0]["content"]
    assert "Dana Whitfield" in specialist_prompt and "Sunday, March 3, 1985" in specialist_prompt
    events = await backplane.read_events("llm-http")
    assert [(e.from_agent, e.to_agent) for e in events if isinstance(e, Handoff)] == [
        ("reception", "scheduling")
    ]
    outputs = [e for e in events if isinstance(e, ModelOutput)]
    assert len(outputs) == 5 and {o.model for o in outputs} == {"fake-llm"}


async def test_invalid_slot_value_from_llm_is_rejected_with_what_is_allowed(
    fake_llm_server: tuple[FakeLLM, str], backplane: Backplane
) -> None:
    llm, url = fake_llm_server
    llm.steps += [
        [("set_slot", {"name": "callback_number", "value": "twelve"})],
        "Sorry, could you repeat your number?",
    ]
    clock = await _session(backplane, "llm-bad")
    async with backplane.own("llm-bad", owner="w1", clock=clock) as owned:
        conv = await Orchestrator(CLINIC, _settings(url))(owned, resumed=False)
        await conv.turn("my number is twelve")
        assert "callback_number" not in (await owned.snapshot()).slot_values()
    error = json.loads(llm.requests[1]["messages"][-1]["content"])
    assert error["ok"] is False and "area code" in error["error"]


async def test_llm_failure_falls_back_to_the_offline_model(
    fake_llm_server: tuple[FakeLLM, str], backplane: Backplane
) -> None:
    llm, url = fake_llm_server
    llm.steps += [500, 500, 500]
    clock = await _session(backplane, "llm-down")
    async with backplane.own("llm-down", owner="w1", clock=clock) as owned:
        conv = await Orchestrator(CLINIC, _settings(url))(owned, resumed=False)
        reply = await conv.turn("Hi, this is Dana Whitfield. I'd like to book a checkup.")
        snap = await owned.snapshot()
    assert "date of birth" in reply  # the offline model kept the call going
    assert snap.slot_values()["patient_name"] == "Dana Whitfield"
    outputs = [e for e in await backplane.read_events("llm-down") if isinstance(e, ModelOutput)]
    assert outputs and all(o.model == "offline (fallback from fake-llm)" for o in outputs)
