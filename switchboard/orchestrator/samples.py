"""Run a definition file's sample dialogue against the orchestrator and report mismatches.

Package code (not only test code) so vertical teams can run their samples in their own tests.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backplane import Backplane, Handoff, ManualClock, SessionStatus
from switchboard.definitions import Sample, Team

from .factory import Orchestrator
from .sample_calendar import check_bookings, seed_bookings
from .settings import OrchestratorSettings

SECONDS_PER_TURN = 8.0
"""The call clock moves this much per caller turn, so event times look like a real call."""


@dataclass(kw_only=True)
class SampleRun:
    """What happened, and every expectation that did not hold."""

    sample: Sample
    session_id: str
    lines: list[tuple[str, str, str]] = field(default_factory=list)
    """(speaker, agent, text) in order: speaker is 'agent' or 'caller'."""
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def transcript(self) -> str:
        return "\n".join(
            f"{'CALLER' if who == 'caller' else agent.upper():>14}: {text}"
            for who, agent, text in self.lines
        )


def _missing(text: str, phrases: list[str]) -> list[str]:
    lowered = text.lower()
    return [p for p in phrases if p.lower() not in lowered]


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, datetime):
        return expected.isoformat(timespec="minutes") == str(actual)
    return bool(expected == actual or str(expected) == str(actual))


async def run_sample(
    team: Team,
    sample: Sample,
    backplane: Backplane,
    settings: OrchestratorSettings | None = None,
) -> SampleRun:
    """Play the caller's lines and check agent, phrases, handoffs, slots, escalation and the
    calendar's bookings (seeded before the call from the sample's `calendar`)."""
    settings = settings or OrchestratorSettings()
    calendar_url = settings.services_or_env().calendar_url
    dialogue = sample.dialogue
    start = dialogue.at if dialogue.at.tzinfo else dialogue.at.replace(tzinfo=team.tz)
    clock = ManualClock(start.timestamp())
    session_id = f"sample-{team.name}-{uuid.uuid4().hex[:12]}"
    run = SampleRun(sample=sample, session_id=session_id)
    uses_calendar = bool(dialogue.calendar) or dialogue.expect.bookings is not None
    if uses_calendar and not calendar_url:
        run.failures.append(
            "this sample needs a calendar service: set SWITCHBOARD_CALENDAR_URL or run it "
            "with switchboard.local_services.LocalServices"
        )
        return run
    if dialogue.calendar:
        await seed_bookings(calendar_url, dialogue.calendar, team.tz)
    await backplane.create_session(session_id, agent=sample.start, clock=clock)
    async with (
        Orchestrator(team, settings) as orchestrator,
        backplane.own(session_id, owner="sample-runner", clock=clock) as owned,
    ):
        conversation = await orchestrator(owned, resumed=False)
        greeting = await conversation.greet()
        if greeting:
            run.lines.append(("agent", conversation.agent, greeting))
        for phrase in _missing(greeting, dialogue.greeting):
            run.failures.append(f"greeting lacks {phrase!r}: {greeting!r}")
        for number, turn in enumerate(dialogue.turns, start=1):
            clock.advance(SECONDS_PER_TURN)
            run.lines.append(("caller", conversation.agent, turn.caller))
            reply = await conversation.turn(turn.caller)
            agent = (await owned.snapshot()).agent
            run.lines.append(("agent", agent, reply))
            where = f"turn {number} ({turn.caller!r})"
            if turn.agent and agent != turn.agent:
                run.failures.append(f"{where}: agent is {agent!r}, expected {turn.agent!r}")
            for phrase in _missing(reply, turn.says):
                run.failures.append(f"{where}: reply lacks {phrase!r}: {reply!r}")
            for phrase in turn.not_says:
                if phrase.lower() in reply.lower():
                    run.failures.append(f"{where}: reply must not say {phrase!r}: {reply!r}")
        snap = await owned.snapshot()
    expect = dialogue.expect
    if expect.agent and snap.agent != expect.agent:
        run.failures.append(f"final agent is {snap.agent!r}, expected {expect.agent!r}")
    events = await backplane.read_events(session_id)
    handoffs = [f"{e.from_agent} -> {e.to_agent}" for e in events if isinstance(e, Handoff)]
    wanted = [" -> ".join(p.strip() for p in h.split("->")) for h in expect.handoffs]
    if (expect.handoffs or "handoffs" in expect.model_fields_set) and handoffs != wanted:
        run.failures.append(f"handoffs were {handoffs}, expected {wanted}")
    values = snap.slot_values()
    for name, value in expect.slots.items():
        if not _same(value, values.get(name)):
            run.failures.append(f"slot {name} is {values.get(name)!r}, expected {value!r}")
    level = expect.escalation_level
    if level is not None and snap.escalation.level != level:
        run.failures.append(f"escalation level is {snap.escalation.level}, expected {level}")
    ended = snap.status == SessionStatus.ENDED
    if expect.ended is not None and ended != expect.ended:
        run.failures.append(f"session ended is {ended}, expected {expect.ended}")
    if expect.bookings is not None:
        run.failures += await check_bookings(calendar_url, expect.bookings, team.tz)
    return run
