"""Calls on a line that echoes the agent back (a handset 25 dB down, a speakerphone 10 dB; 60 ms
late, band-limited): the agent's own voice must not cut it off nor come back as the caller's
words, and a caller who talks over it must still take the turn.

Live, the echo canceller's reference is the audio the playout estimate says is playing. Timed
by the server's clock, that estimate jumped by its scheduling jitter at every returned mark and
the canceller lost the echo path for good after its first fit; on this line the agent then
confirmed barge-ins on its own voice and answered its own words. Timed by Twilio's media clock
(`Playout.heard_on_media`), the path stays locked."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from backplane import BargeInDecision, CallerTurn
from switchboard.testing import SimulatorSettings, TwilioSimulator, caller_synthesizer
from switchboard.testing.script import CallerScript, run_script
from tests.e2e.conftest import AUTH_TOKEN, LiveCall
from tests.e2e.test_call import LINES, close
from voice import aec

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("echo_db", [25.0, 10.0])  # a handset; a speakerphone
async def test_the_agents_echo_does_not_cut_it_off(
    healthcare: LiveCall, monkeypatch: pytest.MonkeyPatch, echo_db: float
) -> None:
    searches: list[int | None] = []
    finish = aec.EchoCanceller._search_finish

    def record(self: aec.EchoCanceller, *args: object) -> None:
        finish(self, *args)  # type: ignore[arg-type]
        searches.append(self.delay)

    monkeypatch.setattr(aec.EchoCanceller, "_search_finish", record)
    sim = _echoing_sim(healthcare, echo_db)
    try:
        script = CallerScript.of_lines(*LINES[:2])
        result = await run_script(sim, script, backplane=healthcare.backplane)
    finally:
        await sim.aclose()
    sid = result.call.call_sid
    events = await healthcare.backplane.read_events(sid)
    decisions = [(e.decision, e.reason) for e in events if isinstance(e, BargeInDecision)]
    heard = [e.text for e in events if isinstance(e, CallerTurn)]
    # the agent was never cut off by its own voice
    assert "confirm" not in [d for d, _ in decisions], (decisions, heard)
    # the echo path was found at once and kept (60 ms: 480 samples). Until the greeting's
    # first mark, the playout estimate had run a frame ahead on about one call in three
    # (a busy server had not read Twilio's latest frame when it sent the first chunk): the
    # first fit then landed a frame late (640) or failed, and the greeting's echo reached
    # the recogniser as a caller turn. The mark's correction now realigns the canceller
    found = [d for d in searches if d is not None]
    assert found and len(found) >= 0.8 * len(searches), searches
    assert max(found) - min(found) <= 8 and 400 <= found[0] <= 560, searches
    # both caller lines were heard, in order, and answered. Of the agent's own words at most
    # one scrap, before the caller spoke: the call's first ~400 ms of agent speech come before
    # the canceller's first search (a CI run once heard "Thanks." there)
    assert len(heard) <= 3 and close(heard[-2], LINES[0]) and close(heard[-1], LINES[1]), heard
    assert result.unanswered == []
    snap = await healthcare.backplane.snapshot(sid)
    assert close(snap.slots["patient_name"].value, "Dana Whitfield"), heard


def _echoing_sim(healthcare: LiveCall, echo_db: float = 25.0) -> TwilioSimulator:
    settings = SimulatorSettings(
        server=healthcare.url, auth_token=AUTH_TOKEN, speed=1.0, echo_db=echo_db,
        echo_delay_ms=60,
    )  # fmt: skip
    return TwilioSimulator(settings, synthesizer=caller_synthesizer())


async def test_a_caller_talking_over_the_echo_still_takes_the_turn(healthcare: LiveCall) -> None:
    sim = _echoing_sim(healthcare)
    try:
        call = await sim.place_call()
        deadline = time.monotonic() + 30
        while call.line.agent_started_at is None:  # the greeting is playing
            assert time.monotonic() < deadline, "the agent never started speaking"
            await asyncio.sleep(0.02)
        await asyncio.sleep(1.5)  # well into the greeting: its echo is on the line
        line = [c async for c in caller_synthesizer().synthesize(LINES[0])]
        call.play(np.concatenate(line))
        await call.until_sent()
        assert await call.wait_for_agent(within=30)
        await call.hangup()
    finally:
        await sim.aclose()
    events = await healthcare.backplane.read_events(call.call_sid)
    decisions = [e.decision for e in events if isinstance(e, BargeInDecision)]
    heard = [e.text for e in events if isinstance(e, CallerTurn)]
    assert "confirm" in decisions, decisions
    assert call.clears == decisions.count("pause") - _reonsets(events)
    assert heard and close(heard[0], LINES[0]), heard


def _reonsets(events: list[object]) -> int:
    return sum(isinstance(e, BargeInDecision) and e.reason == "re-onset" for e in events)
