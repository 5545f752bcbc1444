"""The barge-in hook tunes each reply for the agent speaking it; the call loop survives a
faulty hook."""

from __future__ import annotations

import time

import numpy as np

from backplane import Backplane
from tests.voice.stand_ins import EchoAgent, ToneRecognizerStream, ToneSynthesizer
from voice import BargeInHooks, BargeInSettings, BargeInState, CallLoop
from voice.codec import FRAME_SAMPLES, pcm_to_ulaw
from voice.hooks import InboundFrame, speaking_agent
from voice.playout import PlayoutState

FAST = BargeInSettings(confirm_ms=150)
SLOW = BargeInSettings(confirm_ms=400, max_confirm_ms=900)
TEAM = BargeInSettings()


def settings_for(agent: str | None) -> BargeInSettings:
    return {"reception": SLOW, "nurse_line": FAST}.get(agent or "", TEAM)


class Speaker:
    """A `PlayoutControl` whose reply state and speaking agent the test sets."""

    def __init__(self) -> None:
        self.state = PlayoutState.IDLE
        self.speaking_agent: str | None = None
        self.session = None

    def heard_ms(self) -> int:
        return 0

    def heard_text(self) -> str:
        return ""

    async def pause(self) -> int:
        return 0

    async def resume(self) -> None:
        return None

    async def interrupt(self) -> str:
        return ""


def frame(i: int) -> InboundFrame:
    quiet = np.zeros(FRAME_SAMPLES, np.int16)
    return InboundFrame(pcm=quiet, timestamp_ms=i * 20, received_at=time.monotonic())


async def test_each_reply_uses_the_speaking_agents_settings_even_after_a_handoff() -> None:
    hooks = BargeInHooks(settings_for=settings_for, recognise=False)
    ctl = hooks("CA1")
    assert ctl.settings is TEAM  # nobody speaks yet: the team default
    line = Speaker()
    line.state, line.speaking_agent = PlayoutState.PLAYING, "reception"
    await ctl.on_frame(frame(0), line)
    assert ctl.state is BargeInState.LISTENING
    assert ctl.settings is SLOW and ctl.policy.settings is SLOW

    line.speaking_agent = "nurse_line"  # handed off while the reply still plays
    await ctl.on_frame(frame(1), line)
    assert ctl.settings is SLOW  # a reply keeps the settings it started with

    line.state = PlayoutState.IDLE
    await ctl.on_frame(frame(2), line)
    line.state = PlayoutState.PLAYING  # the new agent's first reply
    await ctl.on_frame(frame(3), line)
    assert ctl.settings is FAST and ctl.policy.settings is FAST

    line.state, line.speaking_agent = PlayoutState.IDLE, None
    await ctl.on_frame(frame(4), line)
    line.state = PlayoutState.PLAYING
    await ctl.on_frame(frame(5), line)
    assert ctl.settings is TEAM  # an unnamed speaker gets the team default


async def test_fixed_settings_without_settings_for() -> None:
    hooks = BargeInHooks(settings=SLOW, recognise=False)
    ctl = hooks("CA2")
    line = Speaker()
    line.state, line.speaking_agent = PlayoutState.PLAYING, "nurse_line"
    await ctl.on_frame(frame(0), line)
    assert ctl.settings is SLOW


class Named(EchoAgent):
    agent = "nurse_line"


class Broken:
    """An inbound hook that fails on everything."""

    def __init__(self) -> None:
        self.calls = 0

    async def on_frame(self, frame: InboundFrame, playout: object) -> None:
        self.calls += 1
        raise RuntimeError("detector fault")

    async def on_transcript(self, transcript: object, playout: object) -> None:
        self.calls += 1
        raise RuntimeError("detector fault")

    async def on_dtmf(self, digit: str, playout: object) -> None:
        self.calls += 1
        raise RuntimeError("detector fault")


async def test_call_loop_contains_hook_faults_and_names_the_speaker(backplane: Backplane) -> None:
    await backplane.create_session("CA3", agent="nurse_line", channel="voice")
    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    async with backplane.own("CA3", owner="test") as session:
        hook = Broken()
        loop = CallLoop(
            session=session,
            agent=Named(session, resumed=False),
            recognizer=ToneRecognizerStream(),
            synthesizer=ToneSynthesizer(),
            stream_sid="MZ1",
            send=send,
            hook=hook,
        )
        assert loop.speaking_agent == "nurse_line" == speaking_agent(loop)
        await loop.on_media(pcm_to_ulaw(np.zeros(FRAME_SAMPLES, np.int16)), 0)
        await loop.on_dtmf("5")
        assert hook.calls == 2
        assert loop._frames.qsize() == 1  # the frame still went on to recognition
        loop.agent = EchoAgent(session, resumed=False)
        assert loop.speaking_agent is None
