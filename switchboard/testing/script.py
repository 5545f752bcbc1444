"""Scripted callers: a YAML file of lines to say (synthesised), WAVs to play, keys to press.

    from: "+15551230000"
    to: "+15559870000"
    lines:
      - say: Hi, I'd like to book a physical for myself.
      - say: Dana Whitfield.
      - wav: clips/hello.wav        # 8 kHz mono (other rates are resampled), relative to the file
      - dtmf: "1"
      - pause_ms: 800
      - drop: true                  # cut the stream; Twilio's <Connect action> reconnects
    hangup: true

Each `say` or `wav` line waits for the agent's answer (speech, then `quiet_ms` of silence)
unless `wait: false`. Given the call's backplane, the caller also waits for the answer's
`AgentTurn` to be recorded, so a pause between two sentences of one reply never reads as its end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
import yaml
from pydantic import BaseModel, ConfigDict, Field

from backplane import AgentTurn, Backplane
from switchboard.testing.simulator import LineTiming, SimulatedCall, TwilioSimulator
from voice.codec import SAMPLE_RATE


class ScriptLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    say: str | None = None
    wav: str | None = None
    dtmf: str | None = None
    pause_ms: int | None = Field(None, ge=0)
    drop: bool = False
    wait: bool = True


class CallerScript(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: str = Field("+15551230000", alias="from")
    to: str = "+15559870000"
    call_sid: str | None = None
    wait_for_greeting: bool = True
    quiet_ms: int = 900
    """Agent silence that ends its turn (the caller then speaks)."""
    answer_within_s: float = 60.0
    lines: list[ScriptLine] = Field(default_factory=list)
    hangup: bool = True

    @classmethod
    def load(cls, path: str | Path) -> tuple[CallerScript, Path]:
        path = Path(path)
        return cls.model_validate(yaml.safe_load(path.read_text()) or {}), path.parent

    @classmethod
    def of_lines(cls, *lines: str, **kw: object) -> CallerScript:
        return cls(lines=[ScriptLine(say=text) for text in lines], **kw)  # type: ignore[arg-type]


@dataclass(kw_only=True, slots=True)
class ScriptResult:
    call: SimulatedCall
    timings: list[LineTiming] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)


def load_wav(path: Path) -> np.ndarray:
    """A WAV as 8 kHz mono int16 (resampled with soxr when needed)."""
    data, rate = sf.read(path, dtype="float32", always_2d=True)
    mono = data.mean(axis=1)
    if rate != SAMPLE_RATE:
        import soxr

        mono = soxr.resample(mono, rate, SAMPLE_RATE)
    return (np.clip(mono, -1, 1) * 32767).astype(np.int16)


@dataclass(frozen=True, slots=True)
class AgentReplies:
    """Counts a call's recorded agent replies (`AgentTurn` events) in the backplane."""

    backplane: Backplane
    session_id: str

    async def count(self) -> int:
        events = await self.backplane.read_events(self.session_id)
        return sum(isinstance(event, AgentTurn) for event in events)

    def more_than(self, seen: int) -> Callable[[], Awaitable[bool]]:
        """A check for `SimulatedCall.wait_for_agent(replied=...)`: a reply after `seen`."""

        async def replied() -> bool:
            return await self.count() > seen

        return replied


async def run_script(
    sim: TwilioSimulator,
    script: CallerScript,
    *,
    base_dir: Path | None = None,
    backplane: Backplane | None = None,
) -> ScriptResult:
    """Place the call and play the script; the call is hung up at the end if `hangup`.

    With `backplane` (the server's), each wait for the agent also waits for its reply to be
    recorded; without it (a remote server), silence alone ends the agent's turn.
    """
    call = await sim.place_call(call_sid=script.call_sid, from_=script.from_, to=script.to)
    result = ScriptResult(call=call)
    within = script.answer_within_s
    replies = AgentReplies(backplane, call.call_sid) if backplane is not None else None

    async def wait_for_agent(seen: int) -> bool:
        replied = replies.more_than(seen) if replies is not None else None
        return await call.wait_for_agent(quiet_ms=script.quiet_ms, within=within, replied=replied)

    if script.wait_for_greeting:
        await wait_for_agent(0)
    for line in script.lines:
        if line.pause_ms:
            await asyncio.sleep(line.pause_ms / 1000 / sim.settings.speed)
        if line.dtmf:
            for digit in line.dtmf:
                await call.dtmf(digit)
        if line.drop:
            await call.drop()
            await call.reconnect()
        seen = await replies.count() if replies is not None else 0
        spoke = False
        if line.say:
            result.timings.append(await call.say(line.say))
            spoke = True
        if line.wav:
            pcm = load_wav((base_dir or Path.cwd()) / line.wav)
            result.timings.append(call.play(pcm, text=line.wav))
            spoke = True
        if spoke and line.wait:
            if not await wait_for_agent(seen):
                result.unanswered.append(line.say or line.wav or "")
    if script.hangup:
        await call.hangup()
    return result


__all__ = ["AgentReplies", "CallerScript", "ScriptLine", "ScriptResult", "load_wav", "run_script"]
