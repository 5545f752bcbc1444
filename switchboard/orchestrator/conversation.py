"""One live call's conversation: the `voice.turns.CallAgent` the call loop and chat drive."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from agents import Agent, Model, RunConfig, Runner
from openai.types.responses import ResponseTextDeltaEvent

from backplane import AgentTurn, OwnedSession
from switchboard.definitions import Team, render
from switchboard.models import TeamModels

from .build import build_agents
from .errors import NoToolRunner, UnknownAgent
from .escalation import triggered
from .history import BackplaneSession, assistant_item, transfer_items, user_item
from .hooks import EventHooks
from .sentiment import score
from .settings import OrchestratorSettings
from .state import CallState


class Conversation:
    """Greets, answers caller turns (streamed), and handles barge-in for one session."""

    def __init__(
        self, team: Team, session: OwnedSession, state: CallState, settings: OrchestratorSettings
    ) -> None:
        self.team = team
        self.session = session
        self.state = state
        self.settings = settings
        if settings.tools is None:
            raise NoToolRunner()
        self.models = TeamModels(team, state.slot_values, settings.llm)
        self.agents: dict[str, Agent[CallState]] = build_agents(
            team, state, self._model_for, settings.tools
        )
        self.history = BackplaneSession(session)
        self._hooks = EventHooks(self.models)
        self._ended = False

    def _model_for(self, agent: str) -> Model:
        model = self.models.for_agent(agent)
        factory = self.settings.model_factory
        return factory(agent, model) if factory is not None else model

    @classmethod
    async def attach(
        cls, team: Team, session: OwnedSession, settings: OrchestratorSettings | None = None
    ) -> Conversation:
        """A conversation bound to an owned session, starting from its state in Redis.

        `settings.tools` must be set; `Orchestrator` fills it with the tool runtime."""
        snap = await session.snapshot()
        state = CallState(team=team, session=session, agent=snap.agent)
        state.refresh(snap)
        if state.agent not in team.agents:
            raise UnknownAgent(state.agent, team.name)
        return cls(team, session, state, settings or OrchestratorSettings())

    @property
    def agent(self) -> str:
        return self.state.agent

    @property
    def ended(self) -> bool:
        """The agent said the team's farewell and ended the session; the call should hang up
        once that line has played."""
        return self._ended

    async def greeting(self) -> AsyncIterator[str]:
        """The opening line of the agent in charge (nothing if it has none)."""
        spec = self.team.agents[self.state.agent]
        if not spec.greeting:
            return
        extra = {"team": self.team.spec.display_name, "agent": spec.name}
        text = render(spec.greeting, self.state.slots, self.team.kinds, extra)
        await self.history.add_items([assistant_item(text)])  # type: ignore[list-item]
        try:
            yield text
        finally:
            # Recorded once the consumer is done with the line (a voice call has synthesised
            # it), as `respond` records its reply; an interrupted greeting is recorded too,
            # before `on_interrupted` records what was heard of it.
            await self.session.append(AgentTurn(text=text, agent=spec.name))

    async def _escalate(self, text: str, rolling: float) -> list[dict[str, object]]:
        """Apply escalation rules; returns history items of an escalation handoff, if any."""
        state = self.state
        intents = self.team.intents_in(text)
        rules = triggered(
            self.team.escalation_rules(state.agent),
            text=text,
            intents=intents,
            rolling_sentiment=rolling,
            failures=state.failures,
        )
        items: list[dict[str, object]] = []
        for rule in rules:
            if rule.reason in state.escalation_reasons and rule.level <= state.escalation_level:
                continue  # already raised for this reason; don't repeat it every turn
            state.escalation_level = await self.session.escalate(rule.level, rule.reason)
            state.escalation_reasons = (*state.escalation_reasons, rule.reason)
            if rule.to and rule.to != state.agent and not items:
                await self.session.handoff(rule.to, reason=rule.reason, from_agent=state.agent)
                call_id = f"escalation_{state.turn}_{rule.to}"
                items = transfer_items(rule.to, call_id, rule.reason)  # type: ignore[assignment]
                state.agent = rule.to
        return items

    async def respond(self, caller_text: str) -> AsyncIterator[str]:
        """One caller turn: events, sentiment, escalation, then the agents' streamed reply."""
        state = self.state
        state.refresh(await self.session.snapshot())
        if state.agent not in self.agents:
            raise UnknownAgent(state.agent, self.team.name)
        state.turn = await self.session.begin_caller_turn(caller_text, agent=state.agent)
        rolling = await self.session.record_sentiment(score(caller_text), source="vader")
        new_items = [user_item(caller_text), *await self._escalate(caller_text, rolling)]
        result = Runner.run_streamed(
            self.agents[state.agent],
            input=new_items,  # type: ignore[arg-type]
            context=state,
            session=self.history,
            hooks=self._hooks,
            max_turns=self.settings.max_model_calls,
            run_config=RunConfig(
                tracing_disabled=True, workflow_name=f"switchboard:{self.team.name}"
            ),
        )
        spoken: list[str] = []
        finished = False
        try:
            async for event in result.stream_events():
                if event.type == "raw_response_event" and isinstance(
                    event.data, ResponseTextDeltaEvent
                ):
                    spoken.append(event.data.delta)
                    yield event.data.delta
            finished = True
        finally:
            if not finished:
                # The caller barged in (the consumer stopped listening): stop generating, and
                # keep what was produced so on_interrupted can cut it to what was heard.
                result.cancel()
                with contextlib.suppress(Exception):
                    await self.history.add_items([assistant_item("".join(spoken))])  # type: ignore[list-item]
        text = "".join(spoken) or str(result.final_output or "")
        await self.session.append(AgentTurn(text=text, agent=state.agent))
        farewell = self.team.farewell_line(state.slots, state.agent).strip()
        if finished and farewell and farewell in text:
            # After the AgentTurn, so the farewell is in the record before SessionEnded.
            await self.session.end(reason="caller said goodbye")
            self._ended = True

    async def turn(self, caller_text: str) -> str:
        """`respond` collected into one string (chat, tests)."""
        return "".join([chunk async for chunk in self.respond(caller_text)])

    async def greet(self) -> str:
        return "".join([chunk async for chunk in self.greeting()])

    async def on_interrupted(self, heard_text: str) -> None:
        """The caller barged in: keep only what they heard of the last reply, in history and
        in the event stream (an interrupted AgentTurn)."""
        await self.history.truncate_last_reply(heard_text)
        await self.session.append(
            AgentTurn(text=heard_text, agent=self.state.agent, interrupted=True)
        )
