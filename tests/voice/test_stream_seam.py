"""The barge-in seam: a hook sees every frame and can pause, resume or interrupt playout."""

from __future__ import annotations

import asyncio

import numpy as np

from backplane import AgentTurn, OwnedSession
from tests.voice.conftest import Live
from tests.voice.stand_ins import EchoAgent, tone
from voice.events import CallerAside
from voice.hooks import InboundFrame, PlayoutControl
from voice.playout import PlayoutState
from voice.speech import Transcript


class ScriptedHook:
    """Pauses on the first loud frame while the agent speaks; resumes once, then interrupts."""

    def __init__(self) -> None:
        self.frames = 0
        self.frames_with_echo_reference = 0
        self.actions: list[tuple[str, int]] = []
        self.heard: list[str] = []
        self._loud_while_paused = 0
        self.digits: list[str] = []
        self.closed = False

    async def on_frame(self, frame: InboundFrame, playout: PlayoutControl) -> None:
        self.frames += 1
        if frame.outbound is not None:
            self.frames_with_echo_reference += 1
        loud = int(np.abs(frame.pcm.astype(np.int32)).max()) > 1000
        if playout.state is PlayoutState.PLAYING and loud:
            self.actions.append(("pause", await playout.pause()))
            if len(self.actions) == 1:
                self.actions.append(("resume", playout.heard_ms()))
                await playout.resume()
        elif playout.state is PlayoutState.PAUSED and loud:
            self._loud_while_paused += 1
            if self._loud_while_paused == 3:
                self.heard.append(await playout.interrupt())
                self.actions.append(("interrupt", playout.heard_ms()))

    async def on_transcript(self, transcript: Transcript, playout: PlayoutControl) -> None:
        return None

    async def on_dtmf(self, digit: str, playout: PlayoutControl) -> None:
        self.digits.append(digit)

    async def close(self) -> None:  # optional: the call loop awaits it when the call ends
        self.closed = True


async def test_hook_pauses_resumes_and_interrupts_through_the_real_stream(live: Live) -> None:
    hooks: list[ScriptedHook] = []
    agents: list[EchoAgent] = []

    def make_hook(session_id: str) -> ScriptedHook:
        hooks.append(ScriptedHook())
        return hooks[-1]

    async def make_agent(session: OwnedSession, *, resumed: bool) -> EchoAgent:
        agents.append(EchoAgent(session, resumed=resumed))
        return agents[-1]

    live.server.hooks = make_hook
    live.server.agents = make_agent
    call = await live.sim.place_call()
    # Speak over the greeting (2 s of tone): pause, resume, pause again, then interrupt.
    call.play(tone(60))
    await call.until_sent()
    call.play(np.zeros(8 * 200, np.int16))
    call.play(tone(600))
    assert await call.wait_for_agent(within=20)
    await call.dtmf("5")
    await call.dtmf("#")
    await call.hangup()

    hook = hooks[0]
    for _ in range(250):  # the server finishes the call after the hang-up arrives
        if hook.closed:
            break
        await asyncio.sleep(0.02)
    assert hook.closed
    assert hook.frames > 20
    assert hook.digits == ["5", "#"]
    assert hook.frames_with_echo_reference > 0
    kinds = [a for a, _ in hook.actions]
    assert kinds[:3] == ["pause", "resume", "pause"] and "interrupt" in kinds
    assert call.clears >= 2  # each pause sent a Twilio `clear`
    # The history was told what the caller heard: a prefix of the greeting.
    [heard] = agents[0].interrupted
    assert "Hello, echo here.".startswith(heard)
    # The caller's speech became the next turn, answered after the interruption.
    events = await live.backplane.read_events(call.call_sid)
    assert [e.text for e in events if isinstance(e, AgentTurn)] == ["You said tone 1."]


class TurnCheck:
    """A hook that only answers the call loop's `is_turn` (or fails on it)."""

    def __init__(self, *, aside: str, fail: bool = False) -> None:
        self.aside, self.fail = aside, fail
        self.asked: list[str] = []

    async def on_frame(self, frame: InboundFrame, playout: PlayoutControl) -> None:
        return None

    async def on_transcript(self, transcript: Transcript, playout: PlayoutControl) -> None:
        return None

    async def on_dtmf(self, digit: str, playout: PlayoutControl) -> None:
        return None

    def is_turn(self, transcript: Transcript) -> bool:
        self.asked.append(transcript.text)
        if self.fail:
            raise RuntimeError("turn check broke")
        return transcript.text != self.aside


async def test_a_final_the_hook_sets_aside_is_never_answered(live: Live) -> None:
    check = TurnCheck(aside="tone 1")
    live.server.hooks = lambda session_id: check
    call = await live.sim.place_call()
    assert await call.wait_for_agent(within=20)
    call.play(tone(400))  # "tone 1": set aside, so the agent stays silent
    assert not await call.wait_for_agent(within=3)
    call.play(tone(400))  # "tone 2": answered
    assert await call.wait_for_agent(within=20)
    await call.hangup()
    assert check.asked == ["tone 1", "tone 2"]
    events = await live.backplane.read_events(call.call_sid)
    assert [e.text for e in events if isinstance(e, AgentTurn)] == ["You said tone 2."]
    assert [e.text for e in events if isinstance(e, CallerAside)] == ["tone 1"]  # on record


async def test_a_failing_turn_check_keeps_the_turn(live: Live) -> None:
    check = TurnCheck(aside="tone 1", fail=True)
    live.server.hooks = lambda session_id: check
    call = await live.sim.place_call()
    assert await call.wait_for_agent(within=20)
    call.play(tone(400))
    assert await call.wait_for_agent(within=20)
    await call.hangup()
    assert check.asked == ["tone 1"]
    events = await live.backplane.read_events(call.call_sid)
    assert [e.text for e in events if isinstance(e, AgentTurn)] == ["You said tone 1."]
