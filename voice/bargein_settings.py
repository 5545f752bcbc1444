"""Barge-in tuning, settable per agent (the `barge_in:` block of a definition file)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from voice.errors import VoiceError

BACKCHANNELS = frozenset(
    {
        "mm", "mmm", "hmm", "mhm", "mm-hmm", "mmhmm", "uh-huh", "uhhuh", "uh", "huh", "ah", "oh",
        "yeah", "yea", "yes", "yep", "yup", "ok", "okay", "right", "sure", "alright", "all", "cool",
        "got", "it", "i", "see", "true", "exactly", "fine", "great", "good", "nice", "wow",
    }
)  # fmt: skip
"""Words that, alone, acknowledge the agent rather than take the turn."""

NON_WORDS = frozenset(
    {"ha", "haha", "hahaha", "heh", "hehe", "hah", "um", "umm", "er", "erm", "uhm", "hm", "hmmm",
     "ooh", "aw", "aww", "whoa", "ugh", "shh", "psst", "ahem", "achoo", "bless", "you", "thank",
     "thanks"}
)  # fmt: skip
"""Tokens a recogniser writes for laughs, fillers and stock noise transcriptions (Whisper's
"thank you" on noise): alone they never take the turn either."""

FUNCTION_WORDS = frozenset(
    "a an the and or but so of to in on at for with by from as is are was be its this that "
    "these those there here then than too very just".split()
)
"""Words that carry no request of their own; a short segment of only these (Whisper's "and",
"so the" on noise) is not a caller taking the turn."""


@dataclass(frozen=True, kw_only=True, slots=True)
class BargeInSettings:
    """How quickly the agent pauses for the caller, and what it takes to give up the turn."""

    hold_ms: int = 40
    """Speech-like audio needed before pausing (with 20 ms frames the pause lands ~60 ms after
    onset)."""
    confirm_ms: int = 200
    """Shortest time from pause to a confirmed barge-in, when the evidence is clear."""
    max_confirm_ms: int = 700
    """Longest an ambiguous candidate keeps the agent paused before a decision..."""
    max_extend_ms: int | None = 1200
    """...unless it still scores at least `extend_score` then (likely a caller talking through
    a noisy line): it may stay paused up to this long, resumed as soon as its score drops
    (None: never past `max_confirm_ms`). On held-out training folds, at the same false cancels
    and recall, this cut resume-then-pause-again stutters on real turns from 31% to 18% of them
    for +40 ms of median cancel latency."""
    confirm_score: float | None = None
    """Model score (P(the caller is taking the turn)) that confirms a candidate once
    `confirm_ms` has passed; None: the operating point the model was trained for."""
    timeout_score: float | None = None
    """At `max_confirm_ms`, a candidate scoring at least this is confirmed, below it resumed;
    None: the model's own."""
    extend_score: float | None = None
    """Score that keeps an undecided candidate paused past `max_confirm_ms`; None: the model's."""
    final_score: float | None = None
    """At the longest pause, a candidate still scoring at least this is confirmed rather than
    resumed: a caller who has talked over the paused agent that long, plausibly, gets the
    turn (resuming would talk over them, and their next word would pause it again); None: the
    model's own."""
    reonset_rise_db: float | None = 6.0
    """A sound this much louder than anything earlier in an open candidate (for two frames,
    `reonset_after_ms` or more into it) starts a new candidate in its place, the agent still
    paused: a caller who speaks up inside a pause that a quieter room or noise opened is judged
    on their own voice, not averaged with what came before. None: never."""
    reonset_after_ms: int = 200
    """How far into a candidate a louder sound counts as a new one (its own start is not)."""
    end_ms: int = 160
    """Quiet that ends a candidate segment."""
    merge_ms: int = 400
    """A new onset this soon after a voiced candidate ended continues it (the next word)."""
    speech_prob: float = 0.5
    """Silero probability that counts a window as voiced."""
    onset_prob: float = 0.8
    """Silero probability that starts a candidate without the energy detector..."""
    onset_rise_db: float = 3.0
    """...when the frame is also this far above the background level (voice over loud music or
    a room, where the energy floor has risen)."""
    nonspeech_ms: int = 200
    """After this long with no voiced window, the candidate is noise: resume."""
    echo_coherence: float = 0.45
    """Correlation with the far end above which the line is carrying the agent's own echo."""
    rearm_ms: int = 1500
    """After a noise resume, a new pause also needs Silero's voice evidence for this long..."""
    rearm_rise_db: float | None = 6.0
    """...or frames this much louder than the loudest frame of the noise that was resumed (a
    caller speaking up over it: Silero can lag hundreds of ms on a voice through the phone
    chain). None: Silero's evidence only."""
    backchannels: frozenset[str] = BACKCHANNELS | NON_WORDS
    """Lexicon for the recognised-words check."""
    words_after_ms: int = 120
    """Voiced audio on a candidate before its first recognition."""
    words_every_ms: int = 160
    """While still undecided, the candidate is recognised again after this much more audio."""
    function_words: frozenset[str] = FUNCTION_WORDS
    """Not counted as content words either (but they do not make a backchannel)."""

    @property
    def longest_pause_ms(self) -> int:
        """How long a candidate may keep the agent paused, extension included."""
        return self.max_confirm_ms if self.max_extend_ms is None else self.max_extend_ms

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> BargeInSettings:
        """Build from a definition file's mapping; unknown keys are an error."""
        if not data:
            return cls()
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise VoiceError(f"unknown barge_in settings: {', '.join(sorted(unknown))}")
        values = dict(data)
        if "backchannels" in values:
            values["backchannels"] = frozenset(str(w).lower() for w in values["backchannels"])
        settings = cls(**values)
        if not 0 < settings.hold_ms <= settings.max_confirm_ms:
            raise VoiceError("barge_in: need 0 < hold_ms <= max_confirm_ms")
        if settings.confirm_ms > settings.max_confirm_ms:
            raise VoiceError("barge_in: confirm_ms must not exceed max_confirm_ms")
        if settings.longest_pause_ms < settings.max_confirm_ms:
            raise VoiceError("barge_in: max_extend_ms must not be below max_confirm_ms")
        if settings.reonset_rise_db is not None and settings.reonset_rise_db <= 0:
            raise VoiceError("barge_in: reonset_rise_db must be positive (or null: never)")
        if settings.rearm_rise_db is not None and settings.rearm_rise_db <= 0:
            raise VoiceError("barge_in: rearm_rise_db must be positive (or null: Silero only)")
        for name in ("confirm_score", "timeout_score", "extend_score", "final_score"):
            value = getattr(settings, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise VoiceError(f"barge_in: {name} must be between 0 and 1")
        return settings


__all__ = ["BACKCHANNELS", "FUNCTION_WORDS", "NON_WORDS", "BargeInSettings"]
