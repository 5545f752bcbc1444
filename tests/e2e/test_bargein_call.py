"""Barge-in over a real call: the voice server on 127.0.0.1 (uvicorn, real Redis), the offline
Whisper STT and piper TTS, the barge-in controller in the call loop's hook, and the Twilio
simulator playing corpus clips while the agent speaks. A cough pauses the agent and resumes it;
a caller who starts talking pauses it and takes the turn."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import numpy as np
import pytest
import soundfile as sf

from backplane import Backplane, BargeInDecision, OwnedSession
from switchboard.testing import SimulatorSettings, TwilioSimulator, caller_synthesizer
from switchboard.testing.corpus import bargein_dev_dir
from switchboard.testing.live import loopback_socket, serve
from voice.app import VoiceServer, create_app
from voice.bargein_hooks import BargeInHooks
from voice.config import VoiceSettings
from voice.events import CallerAside
from voice.stt import default_recognizer
from voice.tts import default_synthesizer

pytestmark = pytest.mark.slow

AUTH_TOKEN = "bargein-auth-token-0123456789abcdef"
CORPUS = bargein_dev_dir()
LINE = "I have a question about my appointment next week."
GREETING = (
    "Thank you for calling the Maple Grove clinic. Our opening hours have changed this month: "
    "we are now open from eight in the morning until six in the evening on weekdays."
)


class LongTalker:
    """A call agent with a long greeting, so the caller has something to interrupt."""

    def __init__(self) -> None:
        self.interrupted: list[str] = []
        self.heard: list[str] = []

    async def greeting(self) -> AsyncIterator[str]:
        yield GREETING

    async def respond(self, caller_text: str) -> AsyncIterator[str]:
        self.heard.append(caller_text)
        yield "Of course, go ahead."

    async def on_interrupted(self, heard_text: str) -> None:
        self.interrupted.append(heard_text)


class Rig:
    def __init__(self, server: VoiceServer, sim: TwilioSimulator, bp: Backplane) -> None:
        self.server, self.sim, self.backplane = server, sim, bp
        self.agents: list[LongTalker] = []


@pytest.fixture
async def rig(redis_client) -> AsyncIterator[Rig]:  # type: ignore[no-untyped-def]
    if not CORPUS.exists():
        pytest.skip("barge-in corpus not present beside the checkout")
    bp = Backplane(redis_client)
    sock, url = loopback_socket()
    hooks = BargeInHooks()
    await hooks.warm_up()
    recognizer, synthesizer = default_recognizer(), default_synthesizer()
    for model in (recognizer, synthesizer):
        warm = getattr(model, "warm_up", None)
        if warm is not None:
            await warm()
    agents: list[LongTalker] = []

    async def make_agent(session: OwnedSession, *, resumed: bool) -> LongTalker:
        agents.append(LongTalker())
        return agents[-1]

    server = VoiceServer(
        settings=VoiceSettings(auth_token=AUTH_TOKEN, public_base_url=url, worker_id="bargein"),
        backplane=bp,
        agents=make_agent,
        recognizer=recognizer,
        synthesizer=synthesizer,
        entry_agent="reception",
        hooks=hooks,
    )
    async with serve(create_app(server), sock=sock):
        sim = TwilioSimulator(SimulatorSettings(server=url, auth_token=AUTH_TOKEN, speed=1.0))
        r = Rig(server, sim, bp)
        r.agents = agents
        try:
            yield r
        finally:
            await sim.aclose()


def _clip(cid: str) -> np.ndarray:
    pcm, _ = sf.read(str(CORPUS / "clips" / f"{cid}.wav"), dtype="int16")
    return pcm


async def _call_with(rig: Rig, clip: np.ndarray) -> tuple[object, list[BargeInDecision]]:
    call = await rig.sim.place_call()
    deadline = time.monotonic() + 30
    while call.line.agent_started_at is None:  # the greeting is playing at the caller
        assert time.monotonic() < deadline, "the agent never started speaking"
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    call.play(clip)
    await call.until_sent()
    await call.wait_for_agent(quiet_ms=600, within=30)
    await call.hangup()
    events = await rig.backplane.read_events(call.call_sid)
    return call, [e for e in events if isinstance(e, BargeInDecision)]


async def test_a_cough_pauses_the_agent_which_then_resumes(rig: Rig) -> None:
    call, decisions = await _call_with(rig, _clip("d0172"))  # a cough at 730 ms
    kinds = [d.decision for d in decisions]
    assert kinds[:2] == ["pause", "resume"]
    assert "confirm" not in kinds
    assert call.clears == kinds.count("pause")  # one Twilio `clear` per pause, none more
    assert rig.agents[0].interrupted == []
    # resumed from the heard position: the caller heard the whole greeting, once
    played = call.line.agent_audio()
    spoken = np.flatnonzero(np.abs(played.astype(np.int32)) > 200)
    events = await rig.backplane.read_events(call.call_sid)
    asides = [e.text for e in events if isinstance(e, CallerAside)]
    why = [(d.decision, d.t_ms, d.reason, d.features.get("voiced_ms")) for d in decisions]
    assert spoken.size and rig.agents[0].heard == [], (why, asides)


async def test_a_backchannel_resumes_and_is_never_answered(rig: Rig) -> None:
    call, decisions = await _call_with(rig, _clip("d0216"))  # "yeah" under the greeting
    kinds = [d.decision for d in decisions]
    assert kinds[:2] == ["pause", "resume"] and "confirm" not in kinds
    assert call.clears == kinds.count("pause")
    # The call's recogniser heard it too ("Yes."). Said under the agent and resumed, it is no
    # turn: the agent does not finish its greeting and then answer "Yes.". It is on record.
    events = await rig.backplane.read_events(call.call_sid)
    asides = [e for e in events if isinstance(e, CallerAside)]
    assert len(asides) == 1 and "yes" in asides[0].text.lower(), asides
    resumed = decisions[kinds.index("resume")].t_ms
    assert asides[0].speech_end_ms is not None and asides[0].speech_end_ms <= resumed + 300
    assert rig.agents[0].heard == []
    assert rig.agents[0].interrupted == []


async def test_a_caller_who_talks_over_the_agent_takes_the_turn(rig: Rig) -> None:
    call, decisions = await _call_with(rig, _clip("d0018"))  # "Please re-enter your password"
    kinds = [d.decision for d in decisions]
    assert kinds[0] == "pause" and "confirm" in kinds
    confirm = decisions[kinds.index("confirm")]
    pause = decisions[kinds.index("confirm") - 1]
    assert pause.decision == "pause" and confirm.t_ms > pause.t_ms
    assert call.clears == kinds.count("pause")
    # the history keeps only what the caller heard: a strict prefix of the greeting
    [heard] = rig.agents[0].interrupted
    assert heard and GREETING.startswith(heard) and len(heard) < len(GREETING)
    # and the caller's words became the next turn
    assert rig.agents[0].heard and "password" in " ".join(rig.agents[0].heard).lower()


async def test_clean_speech_on_a_digitally_silent_line_takes_the_turn(rig: Rig) -> None:
    # The simulator's line is digital silence between words, 50 dB quieter than any line the
    # scorer learnt from; the caller's plain speech must still take the turn.
    chunks = [c async for c in caller_synthesizer().synthesize(LINE)]
    call, decisions = await _call_with(rig, np.concatenate(chunks))
    kinds = [d.decision for d in decisions]
    why = [(d.decision, d.reason) for d in decisions]
    assert kinds[0] == "pause" and "confirm" in kinds, why
    assert call.clears == kinds.count("pause")
    assert rig.agents[0].heard and "appointment" in " ".join(rig.agents[0].heard).lower()
