"""Small, real stand-ins for the brain and the models, for the voice protocol tests.

The protocol tests need a CallAgent and speech models that are fast and predictable: an echo
agent that writes real backplane state, a recognizer that ends a turn after a burst of tone
followed by silence, and a synthesizer that speaks a tone whose length follows the text. The
end-to-end tests in tests/e2e use the real orchestrator and the offline STT/TTS instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import numpy as np

from backplane import AgentTurn, OwnedSession
from voice.bargein_model import FEATURES, SegmentModel
from voice.speech import Transcript


class EchoAgent:
    """Says hello, then answers every turn with what it heard; counts turns in a slot."""

    def __init__(self, session: OwnedSession, *, resumed: bool) -> None:
        self.session = session
        self.resumed = resumed
        self.interrupted: list[str] = []

    async def greeting(self) -> AsyncIterator[str]:
        if not self.resumed:
            yield "Hello, echo here."

    async def respond(self, caller_text: str) -> AsyncIterator[str]:
        snap = await self.session.snapshot()
        await self.session.begin_caller_turn(caller_text, agent=snap.agent)
        count = snap.slots["turns"].value + 1 if "turns" in snap.slots else 1
        await self.session.set_slot("turns", count, agent=snap.agent)
        if count == 2:
            await self.session.handoff("echo_two", reason="second turn")
        reply = f"You said {caller_text}."
        yield reply
        await self.session.append(AgentTurn(text=reply, agent=snap.agent))

    async def on_interrupted(self, heard_text: str) -> None:
        self.interrupted.append(heard_text)


async def echo_factory(session: OwnedSession, *, resumed: bool) -> EchoAgent:
    return EchoAgent(session, resumed=resumed)


@dataclass
class ToneRecognizerStream:
    """Ends a turn after >= 100 ms of loud audio followed by 300 ms of quiet."""

    loud_ms: int = 0
    quiet_ms: int = 0
    fed_ms: int = 0
    turns: int = 0
    pending: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))

    async def feed(self, pcm: np.ndarray) -> list[Transcript]:
        out: list[Transcript] = []
        audio = np.concatenate([self.pending, pcm])
        whole = len(audio) // 160 * 160
        self.pending = audio[whole:]
        for frame in audio[:whole].reshape(-1, 160):
            self.fed_ms += 20
            if np.abs(frame.astype(np.int32)).max() > 1000:
                self.loud_ms += 20
                self.quiet_ms = 0
            else:
                self.quiet_ms += 20
            if self.loud_ms >= 100 and self.quiet_ms >= 300:
                self.turns += 1
                out.append(Transcript(text=f"tone {self.turns}", final=True))
                self.loud_ms = 0
        return out

    async def close(self) -> None:
        return None


class ToneRecognizer:
    def open(self) -> ToneRecognizerStream:
        return ToneRecognizerStream()


class ToneSynthesizer:
    """30 ms of 440 Hz per character of text, in 100 ms chunks."""

    async def synthesize(self, text: str) -> AsyncIterator[np.ndarray]:
        n = 240 * len(text)
        tone = (np.sin(np.arange(n) * 2 * np.pi * 440 / 8000) * 8000).astype(np.int16)
        for start in range(0, n, 800):
            yield tone[start : start + 800]


def tone(ms: int) -> np.ndarray:
    n = 8 * ms
    return (np.sin(np.arange(n) * 2 * np.pi * 300 / 8000) * 12000).astype(np.int16)


class ScriptedRecognizer:
    """Ends turns like `ToneRecognizerStream` but "hears" the given lines in order.

    Lets the protocol tests drive the real orchestrator without loading a speech model.
    """

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def open(self) -> ScriptedStream:
        return ScriptedStream(lines=self.lines)


@dataclass
class ScriptedStream(ToneRecognizerStream):
    lines: list[str] = field(default_factory=list)

    async def feed(self, pcm: np.ndarray) -> list[Transcript]:
        out = await super().feed(pcm)
        return [Transcript(text=self.lines.pop(0) if self.lines else "", final=True) for _ in out]


def stump(feature: str, threshold: float, below: float, above: float) -> SegmentModel:
    """A one-split barge-in scorer: log-odds `below` when `feature` <= threshold, else `above`
    (operating point 0.8 to confirm, 0.5 at the window end), so a test shows one rule."""
    return SegmentModel(
        {
            "features": list(FEATURES),
            "init": 0.0,
            "learning_rate": 1.0,
            "trees": [
                {
                    "feature": [FEATURES.index(feature), -1, -1],
                    "threshold": [threshold, -2.0, -2.0],
                    "left": [1, -1, -1],
                    "right": [2, -1, -1],
                    "value": [0.0, below, above],
                }
            ],
            "meta": {"confirm_score": 0.8, "timeout_score": 0.5},
        }
    )
