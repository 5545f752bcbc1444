"""What the caller said under the agent's voice that the controller let pass.

A backchannel ("yeah", "right") or a cough pauses the agent and is resumed, but the call's own
recogniser hears it too and, at its end of turn, hands the call loop a final transcript. Taken
as a turn, the agent would finish its reply and then answer "Yes." (or a cough Whisper wrote as
"That's it!"). So the controller keeps the spans of the candidates it decided, and the call loop
asks it whether each final is a turn (`BargeInController.is_turn`) before answering it.

A final inside candidates that were all resumed is not a turn when its words are only
acknowledgements, fillers and function words; when every candidate was resumed for a reason no
words overrule (no voice, a keypad tone, the agent's echo); or when none of them held a request:
the candidate check's own words found none, or the candidate had too little voice (Silero) for
the check to run at all (`words_after_ms`), as a cough resumed by the scorer has. The call's
recogniser decodes whole utterances with a looser filter, and wrote a cough as "Stop!", "That's
it!" or "I'm sorry.". Anything else stays a turn: a request the controller failed to confirm is
answered once the reply ends, never dropped.

"Inside" is judged by the controller's own energy detector, not by the recogniser's utterance
edges: the final is a turn when the caller made sound (active, not the agent's echo) for
`_WENT_ON_MS` or more outside the resumed candidates. The recogniser's voice detector can open
an utterance on a faint line well before a cough (Silero's probability on -60 dBFS line noise
reached 0.57 at one window alignment) and then hand over the cough's words with a start far
outside the candidate.
"""

from __future__ import annotations

import collections
from collections.abc import Mapping
from dataclasses import dataclass

from voice.bargein_policy import words_of
from voice.codec import FRAME_MS
from voice.speech import Transcript

NON_SPEECH = frozenset({"not speech", "dtmf", "dtmf event", "echo"})
"""Resume reasons from the audio alone, which words heard on it (hallucinated) do not change."""
_GRACE_MS = 300  # the recogniser's utterance edges and the candidate's are measured differently
_WENT_ON_MS = 100  # caller sound outside the candidates that makes the final a turn (> a click)


@dataclass(frozen=True, slots=True)
class DecidedCandidate:
    start_ms: int  # stream time (the frames' Twilio timestamps)
    end_ms: int
    confirmed: bool
    reason: str
    heard_request: bool | None = None  # content words on it (None: asked for, never landed)


class Asides:
    """The candidates a controller decided lately, and the turn check against them."""

    def __init__(self, keep: int = 16, keep_sounds: int = 256) -> None:
        self.decided: collections.deque[DecidedCandidate] = collections.deque(maxlen=keep)
        # runs of caller sound, [start_ms, end_ms] in stream time, oldest first
        self.sounds: collections.deque[list[int]] = collections.deque(maxlen=keep_sounds)

    def sound(self, t_ms: int) -> None:
        """The frame ending at `t_ms` held caller sound (the energy detector, not echo)."""
        last = self.sounds[-1] if self.sounds else None
        if last is not None and 0 <= t_ms - last[1] <= 2 * FRAME_MS:  # one quiet frame bridged
            last[1] = t_ms
        else:
            self.sounds.append([t_ms - FRAME_MS, t_ms])

    def record(
        self,
        start_ms: int,
        end_ms: int,
        *,
        confirmed: bool,
        reason: str,
        heard_request: bool | None = None,
    ) -> None:
        self.decided.append(DecidedCandidate(start_ms, end_ms, confirmed, reason, heard_request))

    def resumed(
        self,
        start_ms: int,
        end_ms: int,
        reason: str,
        features: Mapping[str, object],
        *,
        words_after_ms: int,
    ) -> None:
        """Record a resumed candidate with what its decision's features say it heard.
        `words_after_ms`: the voice a candidate needs before its words are asked for."""
        heard: bool | None = None
        if features.get("words_ready"):
            heard = bool(features.get("content_words"))
        elif _as_int(features.get("voiced_ms")) < words_after_ms:
            heard = False  # too little voice to ask for words: too little to hold a request
        self.record(start_ms, end_ms, confirmed=False, reason=reason, heard_request=heard)

    def is_turn(self, transcript: Transcript, *, not_a_request: frozenset[str]) -> bool:
        """False for a final heard only inside resumed candidates that carries no request.
        `not_a_request`: words that alone never take the turn (backchannels, fillers...)."""
        start, end = transcript.speech_start_ms, transcript.speech_end_ms
        if start is None or end is None:
            return True  # the recogniser cannot place it: keep it
        near = [
            c
            for c in self.decided
            if c.start_ms - _GRACE_MS <= end and start <= c.end_ms + _GRACE_MS
        ]
        if not near or any(c.confirmed for c in near):
            return True
        if self._sound_outside(start, end, near) >= _WENT_ON_MS:
            return True  # the caller went on outside what was resumed
        if all(c.reason in NON_SPEECH or c.heard_request is False for c in near):
            return False
        return not all(word in not_a_request for word in words_of(transcript.text))

    def _sound_outside(self, start: int, end: int, near: list[DecidedCandidate]) -> int:
        """Caller sound in [start, end] outside the candidates (widened by the grace), in ms;
        a span reaching back before the sounds kept is taken as sound there."""
        covered: list[list[int]] = []  # the widened candidates, merged where they overlap
        for c in sorted(near, key=lambda c: c.start_ms):
            lo, hi = c.start_ms - _GRACE_MS, c.end_ms + _GRACE_MS
            if covered and lo <= covered[-1][1]:
                covered[-1][1] = max(covered[-1][1], hi)
            else:
                covered.append([lo, hi])
        runs = [(a, b) for a, b in self.sounds if b > start and a < end]
        if len(self.sounds) == self.sounds.maxlen and start < self.sounds[0][0]:
            runs.insert(0, (start, self.sounds[0][0]))  # forgotten: assume the caller spoke
        total = 0
        for a, b in runs:
            a, b = max(a, start), min(b, end)
            total += b - a - sum(max(0, min(b, hi) - max(a, lo)) for lo, hi in covered)
        return total


def _as_int(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


__all__ = ["NON_SPEECH", "Asides", "DecidedCandidate"]
