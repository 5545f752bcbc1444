"""What of a cleaned frame is still the agent's echo: for barge-in, and for the recogniser."""

from __future__ import annotations

import numpy as np

from voice.bargein_echo import judge_echo, unsearched_echo
from voice.frontend import FrontFrame


def test_before_the_first_echo_search_only_sound_well_under_the_agent_is_echo() -> None:
    def front(level_db: float, *, searched: bool, far_db: float = -20.0) -> FrontFrame:
        pcm = np.zeros(160, np.int16)
        return FrontFrame(pcm, level_db, -70.0, True, False, far_db, 0.0, searched,
                          far_peak_db=-20.0 if not searched else -120.0)  # fmt: skip

    echo = unsearched_echo
    assert echo(front(-40.0, searched=False))  # 20 dB under the agent: its echo
    assert echo(front(-29.0, searched=False))  # a speakerphone's 10 dB echo (9 dB under)
    # the agent's word has ended (its frame now quiet) and its echo is still coming back
    assert echo(front(-29.0, searched=False, far_db=-45.0))
    assert not echo(front(-22.0, searched=False))  # near the agent's level: a caller
    assert not echo(front(-40.0, searched=True))  # once searched, coherence decides


def test_residue_under_a_playing_agent_is_silence_for_the_recogniser() -> None:
    def front(level_db: float, far_db: float, coherence: float) -> FrontFrame:
        return FrontFrame(np.zeros(160, np.int16), level_db, -70.0, True, False, far_db,
                          coherence, True)  # fmt: skip

    # the agent is talking and only the canceller's leftovers are on the line
    assert judge_echo(front(-58.0, -15.0, 0.9), 0.45) == (True, True)
    # the caller talks over it: louder than any residue, and barge-in hears them
    assert judge_echo(front(-30.0, -15.0, 0.2), 0.45) == (False, False)
    # the agent is silent: a quiet caller is the caller
    assert judge_echo(front(-58.0, -120.0, 0.9), 0.45) == (False, False)
