"""Rerun a recorded session against the current definitions and find where behaviour diverges.

The recorded caller turns are played into a scratch session on the recorded clock; tool results
come from the log (no real tool is called); model outputs come from the log too ("recorded") or
are regenerated ("offline", or a named LLM). The scratch session's events are then compared with
the recording, turn by turn.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from agents import Model
from rich.console import Console
from rich.markup import escape

from backplane import AgentTurn, Backplane, CallerTurn, ManualClock, SessionStarted
from switchboard.definitions import load_team
from switchboard.models import LLMSettings
from switchboard.orchestrator import (
    Conversation,
    ModelFactory,
    OrchestratorSettings,
    RuntimeToolRunner,
)
from tools.replay import RecordedTools, SessionRecord

from .compare import Divergence, first_divergence
from .errors import NotReplayable
from .models import ClockedModel, ModelLog, RecordedModel


@dataclass(frozen=True, kw_only=True, slots=True)
class RerunSettings:
    #: The team's definitions folder (the current ones, possibly changed since the call).
    agents: Path
    #: "recorded": serve model outputs from the log; "offline": the offline model; any other
    #: name: that LLM (OPENAI_API_KEY / OPENAI_BASE_URL), offline as fallback.
    model: str = "recorded"
    owner: str = "replay"


@dataclass(frozen=True, kw_only=True, slots=True)
class RerunReport:
    session_id: str
    rerun_session_id: str
    model: str
    turns: int
    divergence: Divergence | None
    tool_calls: int
    tools_missing: int

    @property
    def same(self) -> bool:
        return self.divergence is None


async def rerun_record(
    record: SessionRecord, settings: RerunSettings, backplane: Backplane | None = None
) -> RerunReport:
    """Rerun `record`; uses `backplane` (else connects) for the scratch session."""
    bp = backplane or await Backplane.connect()
    try:
        return await _rerun(record, settings, bp)
    finally:
        if backplane is None:
            await bp.close()


async def _rerun(record: SessionRecord, settings: RerunSettings, bp: Backplane) -> RerunReport:
    started = next((e for e in record.events if isinstance(e, SessionStarted)), None)
    if started is None:
        raise NotReplayable(f"session {record.session_id!r} has no session_started event")
    callers = [e for e in record.events if isinstance(e, CallerTurn)]
    greeting = next((e for e in record.events if isinstance(e, AgentTurn) and e.turn == 0), None)
    heard = {e.turn: e.text for e in record.events if isinstance(e, AgentTurn) and e.interrupted}

    team = load_team(settings.agents)
    clock = ManualClock(started.at)
    rerun_id = f"{record.session_id[:100]}.rerun-{uuid.uuid4().hex[:8]}"
    meta = {**started.metadata, "rerun_of": record.session_id, "rerun_model": settings.model}
    await bp.create_session(
        rerun_id, agent=started.agent, channel=started.channel, metadata=meta, clock=clock
    )
    recorded_tools = RecordedTools(record.session_id, record.events)
    live_model = settings.model not in ("recorded", "offline")
    llm = LLMSettings.from_env() if live_model else LLMSettings(model="offline")
    if live_model:
        llm = LLMSettings(api_key=llm.api_key, base_url=llm.base_url, model=settings.model)
    log = ModelLog(record.events, clock)
    error: tuple[int, str] | None = None
    orchestration = OrchestratorSettings(
        llm=llm,
        tools=RuntimeToolRunner(recorded_tools),  # results from the log, no real tool runs
        model_factory=_models(settings.model, log),
    )
    async with bp.own(rerun_id, owner=settings.owner, clock=clock) as owned:
        conversation = await Conversation.attach(team, owned, orchestration)
        try:
            if greeting is not None:
                clock.set(greeting.at)
                await conversation.greet()
            for caller in callers:
                clock.set(caller.at)
                log.start_turn(caller.turn)
                await conversation.turn(caller.text)
                if caller.turn in heard:
                    await conversation.on_interrupted(heard[caller.turn])
        except Exception as exc:  # the divergence report is the product, not a traceback
            error = (log.turn, f"{type(exc).__name__}: {exc}")
        if not conversation.ended:  # a farewell already ended it
            await owned.end("rerun finished")
    rerun_events = await bp.read_events(rerun_id)
    divergence = first_divergence(record.events, rerun_events)
    if error is not None and (divergence is None or divergence.turn >= error[0]):
        caller_text = next((c.text for c in callers if c.turn == error[0]), "")
        divergence = Divergence(turn=error[0], kind="error", caller=caller_text, note=error[1])
    return RerunReport(
        session_id=record.session_id,
        rerun_session_id=rerun_id,
        model=settings.model,
        turns=len(callers),
        divergence=divergence,
        tool_calls=len(recorded_tools.calls),
        tools_missing=sum(not c.found for c in recorded_tools.calls),
    )


def _models(model: str, log: ModelLog) -> ModelFactory:
    """Recorded outputs served in order, or the live model (offline/LLM) on the recorded clock."""

    def make(agent: str, built: Model) -> Model:
        if model == "recorded":
            return RecordedModel(agent, log)
        return ClockedModel(built, log)

    return make


def print_report(report: RerunReport, console: Console) -> None:
    head = (
        f"rerun of {report.session_id} ({report.turns} caller turns, model {report.model}, "
        f"{report.tool_calls} tool calls served from the log"
        + (f", {report.tools_missing} not in the log" if report.tools_missing else "")
        + f"); scratch session {report.rerun_session_id}"
    )
    console.print(head, markup=False)
    if report.divergence is None:
        console.print("[green]same behaviour: no divergence[/green]")
    else:
        console.print("[red]diverged[/red] at " + escape(report.divergence.describe()))
