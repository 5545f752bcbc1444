"""The orchestrator on real Redis: handoffs keep slots, events, barge-in, fencing, resume."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from backplane import (
    AgentTurn,
    Backplane,
    CallerTurn,
    Handoff,
    ManualClock,
    ModelOutput,
    SentimentScored,
    StaleOwner,
    ToolAttempt,
)
from switchboard.definitions import Team, load_team, render
from switchboard.orchestrator import (
    Conversation,
    Orchestrator,
    OrchestratorSettings,
    render_instructions,
)
from voice.turns import CallAgent, CallAgentFactory

AGENTS = Path(__file__).resolve().parents[2] / "agents"
CLINIC = load_team(AGENTS / "healthcare")


def call_clock(team: Team) -> ManualClock:
    return ManualClock(datetime(2025, 3, 5, 10, 0, tzinfo=team.tz).timestamp())


async def start(bp: Backplane, sid: str, team: Team = CLINIC) -> ManualClock:
    clock = call_clock(team)
    await bp.create_session(sid, agent=team.entry, clock=clock)
    return clock


def prompts_of_filled(team: Team, slots: dict[str, object]) -> list[str]:
    return [
        render(spec.prompt, slots, team.kinds)
        for agent in team.agents.values()
        for spec in agent.slots
        if spec.prompt and spec.name in slots
    ]


async def test_specialist_never_asks_again_for_filled_slots(
    backplane: Backplane, orchestration: OrchestratorSettings
) -> None:
    clock = await start(backplane, "no-repeat")
    async with backplane.own("no-repeat", owner="w1", clock=clock) as owned:
        conv = await Orchestrator(CLINIC, orchestration)(owned, resumed=False)
        await conv.greet()
        # The caller volunteers name and number up front, then asks about a bill.
        await conv.turn("Hi, this is Dana Whitfield, my number is 312 555 0187.")
        reply = await conv.turn("March 3rd, 1985. I have a question about my bill.")
        assert conv.agent == "billing"
        filled = (await owned.snapshot()).slot_values()
        assert {"patient_name", "date_of_birth", "callback_number"} <= filled.keys()
        later = [reply, await conv.turn("It's about a charge from February.")]
        for text in later:
            for prompt in prompts_of_filled(CLINIC, filled):
                assert prompt not in text
        # The LLM path gets the same guarantee through its instructions.
        prompt = render_instructions(CLINIC, CLINIC.agents["billing"], filled)
        assert "Dana Whitfield" in prompt and "(312) 555-0187" in prompt
        assert "callback_number" not in prompt.split("Still needed")[1]


async def test_every_turn_and_model_output_is_an_event(
    backplane: Backplane, orchestration: OrchestratorSettings
) -> None:
    clock = await start(backplane, "events")
    async with backplane.own("events", owner="w1", clock=clock) as owned:
        conv = await Orchestrator(CLINIC, orchestration)(owned, resumed=False)
        await conv.greet()
        await conv.turn("Hi, this is Dana Whitfield. I'd like to book a checkup.")
        await conv.turn("March 3rd, 1985.")
    events = await backplane.read_events("events")
    kinds = [type(e) for e in events]
    assert kinds.count(CallerTurn) == 2
    assert kinds.count(AgentTurn) == 3  # greeting + two replies
    assert kinds.count(SentimentScored) == 2
    outputs = [e for e in events if isinstance(e, ModelOutput)]
    assert {o.agent for o in outputs} == {"reception", "scheduling"}
    assert all(o.model == "offline" and o.items for o in outputs)
    handoff = next(e for e in events if isinstance(e, Handoff))
    assert (handoff.from_agent, handoff.to_agent) == ("reception", "scheduling")
    assert handoff.slots["patient_name"]["value"] == "Dana Whitfield"
    assert handoff.slots["date_of_birth"]["value"] == "1985-03-03"
    # the set_slot calls are model output items, so replay can serve them
    calls = [i for o in outputs for i in o.items if i.get("type") == "function_call"]
    assert {"set_slot", "transfer_to_scheduling"} <= {c["name"] for c in calls}


async def test_barge_in_truncates_the_last_reply_to_what_was_heard(
    backplane: Backplane, orchestration: OrchestratorSettings
) -> None:
    clock = await start(backplane, "barge")
    async with backplane.own("barge", owner="w1", clock=clock) as owned:
        conv = await Orchestrator(CLINIC, orchestration)(owned, resumed=False)
        await conv.greet()
        stream = conv.respond("Hi, I'd like to book a physical.")
        first = await anext(stream)
        await stream.aclose()  # the caller started talking: the call loop stops listening
        assert first.startswith("May I have")
        await conv.on_interrupted("May I have")
        history = await owned.history.get()
    last = [i for i in history if i.get("role") == "assistant"][-1]
    assert last["content"][0]["text"] == "May I have"
    events = await backplane.read_events("barge")
    cut = [e for e in events if isinstance(e, AgentTurn) and e.interrupted]
    assert [e.text for e in cut] == ["May I have"]


async def test_a_stale_worker_cannot_answer_after_takeover(
    backplane: Backplane, orchestration: OrchestratorSettings
) -> None:
    clock = await start(backplane, "fenced")
    old = await backplane.acquire("fenced", owner="w1", clock=clock, keep_alive=False)
    conv = await Orchestrator(CLINIC, orchestration)(old, resumed=False)
    async with backplane.own("fenced", owner="w2", takeover=True, clock=clock):
        with pytest.raises(StaleOwner):
            await conv.turn("Hi, I'd like to book a physical.")


async def test_resume_continues_with_same_agent_slots_and_history(
    backplane: Backplane, orchestration: OrchestratorSettings
) -> None:
    clock = await start(backplane, "resume")
    async with backplane.own("resume", owner="w1", clock=clock) as owned:
        conv = await Orchestrator(CLINIC, orchestration)(owned, resumed=False)
        await conv.greet()
        await conv.turn("Hi, this is Dana Whitfield, I want to book a physical.")
        await conv.turn("March 3rd, 1985.")
        assert conv.agent == "scheduling"
    factory: CallAgentFactory = Orchestrator(CLINIC, orchestration)
    async with backplane.own("resume", owner="w2", takeover=True, clock=clock) as owned:
        resumed: CallAgent = await factory(owned, resumed=True)
        assert isinstance(resumed, Conversation) and resumed.agent == "scheduling"
        reply = await resumed.turn("Next Tuesday at 3 please.")
        assert "Tuesday, March 11 at 3:00 PM" in reply
        assert (await owned.snapshot()).slot_values()["patient_name"] == "Dana Whitfield"


async def test_repeated_bad_answers_raise_escalation(
    backplane: Backplane, orchestration: OrchestratorSettings
) -> None:
    clock = await start(backplane, "failures")
    async with backplane.own("failures", owner="w1", clock=clock) as owned:
        conv = await Orchestrator(CLINIC, orchestration)(owned, resumed=False)
        await conv.turn("Hi, this is Dana Whitfield, I want to book a physical.")
        replies = [await conv.turn("March 3rd, 2030.") for _ in range(3)]
        assert all("past day is needed" in r for r in replies[:2])
        await conv.turn("Sorry, what?")
        snap = await owned.snapshot()
    assert snap.escalation.level == 1
    assert "three times" in snap.escalation.reasons[0]


async def test_urgent_symptoms_escalate_to_nurse_line_and_transfer(
    backplane: Backplane, orchestration: OrchestratorSettings
) -> None:
    clock = await start(backplane, "urgent")
    async with backplane.own("urgent", owner="w1", clock=clock) as owned:
        conv = await Orchestrator(CLINIC, orchestration)(owned, resumed=False)
        reply = await conv.turn("My dad has chest pain and trouble breathing. I'm Lena Park.")
        assert conv.agent == "nurse_line" and "911" in reply
        await conv.turn("His name is Marcus Lee.")
        await conv.turn("Call me back at 773 555 0142.")
        snap = await owned.snapshot()
    assert snap.escalation.level == 3
    assert snap.status == "transferring"
    attempts = [e for e in await backplane.read_events("urgent") if isinstance(e, ToolAttempt)]
    # The real transfer tool ran through the runtime, with the arguments it accepts.
    assert [(a.tool, a.outcome) for a in attempts] == [("transfer_to_human", "ok")]
    assert attempts[0].arguments["level"] == 3
    assert "on-call nurse" in attempts[0].arguments["reason"]
    assert "+17735550142" in attempts[0].arguments["reason"]
