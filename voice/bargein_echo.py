"""What of a cleaned caller frame is still the agent's own voice, for barge-in and the recogniser.

The echo canceller subtracts what it can explain; what is left can still be the agent: before
the canceller has found the echo path (a call's first moments), or as residue under a fitted
path. Barge-in must not take such a frame for the caller (`echo`), and the call's recogniser
must hear silence there (`residue`), or it writes the agent's own words down as the caller's
(Silero has no level gate).
"""

from __future__ import annotations

from typing import NamedTuple

from voice.aec import FAR_ON_DB
from voice.frontend import FrontFrame

ECHO_UNDER_DB = 6.0
"""Before the line is judged, a sound this far under the loudest recent agent audio is echo."""
RESIDUE_DB = -50.0
"""While the agent's audio comes back, a cleaned frame under this level (the energy detector
ignores anything under -52 dBFS) is echo the canceller left."""


class EchoVerdict(NamedTuple):
    echo: bool  # barge-in: the frame is the agent's echo, not the caller
    residue: bool  # the recogniser: only what the canceller left of the agent is in the frame


def judge_echo(front: FrontFrame, coherence: float) -> EchoVerdict:
    """Judge one front-end frame; `coherence` is the echo path's correlation above which the
    line is carrying the agent (`BargeInSettings.echo_coherence`)."""
    early = unsearched_echo(front)
    far_on = front.far_db > FAR_ON_DB
    return EchoVerdict(
        echo=early or (far_on and front.coherence >= coherence),
        residue=early or (far_on and front.level_db < RESIDUE_DB),
    )


def unsearched_echo(front: FrontFrame) -> bool:
    """Before the canceller has judged the line (a call's first ~400-800 ms of agent speech),
    a sound 6 dB or more under the loudest the agent sent within the longest echo delay is
    taken for its echo (a speakerphone returns it ~10 dB down or more; a word's echo outlasts
    the word, so the frame being sent is no yardstick); a caller talking over it is louder."""
    return (
        not front.echo_searched
        and front.far_peak_db > FAR_ON_DB
        and front.level_db < front.far_peak_db - ECHO_UNDER_DB
    )


__all__ = [
    "ECHO_UNDER_DB",
    "RESIDUE_DB",
    "EchoVerdict",
    "judge_echo",
    "unsearched_echo",
]
