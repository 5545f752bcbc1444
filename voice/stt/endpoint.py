"""End-of-turn detection from voice-activity probabilities.

The recognizer stream asks a detector, window by window, whether the caller has started or
finished a turn. The default is Silero probability with hysteresis: speech must last
`min_speech_ms` to open an utterance and `silence_ms` of quiet closes it. Any object with the
same two methods can replace it (a semantic end-of-turn model, a push-to-talk button in tests).
"""

from __future__ import annotations

import enum
from typing import Protocol

from voice.speech_config import EndpointSettings


class TurnEvent(enum.Enum):
    """What a detector reports about the caller's turn."""

    SPEECH_STARTED = "speech_started"
    END_OF_TURN = "end_of_turn"


class EndOfTurnDetector(Protocol):
    """Decides utterance boundaries from one VAD probability per analysis window."""

    def update(self, prob: float, window_ms: float) -> TurnEvent | None:
        """Take the next window's speech probability; report a boundary if this window is one."""
        ...

    def reset(self) -> None:
        """Forget the current utterance (after a forced finalisation)."""
        ...


class VadEndpointer:
    """Hysteresis over VAD probabilities: `min_speech_ms` to start, `silence_ms` to end."""

    def __init__(self, settings: EndpointSettings | None = None) -> None:
        self.settings = settings or EndpointSettings()
        self.in_speech = False
        self._speech_ms = 0.0  # consecutive speech while idle
        self._silence_ms = 0.0  # consecutive silence while in an utterance
        self._utterance_ms = 0.0

    def update(self, prob: float, window_ms: float) -> TurnEvent | None:
        s = self.settings
        speech = prob >= s.speech_threshold
        if not self.in_speech:
            self._speech_ms = self._speech_ms + window_ms if speech else 0.0
            if self._speech_ms >= s.min_speech_ms:
                self.in_speech = True
                self._silence_ms = 0.0
                self._utterance_ms = self._speech_ms
                return TurnEvent.SPEECH_STARTED
            return None
        self._utterance_ms += window_ms
        # a lower bar to stay in speech than to enter it keeps soft word endings inside
        self._silence_ms = (
            0.0 if prob >= s.speech_threshold - 0.15 else self._silence_ms + window_ms
        )
        if self._silence_ms >= s.silence_ms or self._utterance_ms >= s.max_utterance_ms:
            self.reset()
            return TurnEvent.END_OF_TURN
        return None

    @property
    def trailing_silence_ms(self) -> float:
        """Quiet heard since the last speech window of the current utterance."""
        return self._silence_ms if self.in_speech else 0.0

    def reset(self) -> None:
        self.in_speech = False
        self._speech_ms = 0.0
        self._silence_ms = 0.0
        self._utterance_ms = 0.0


__all__ = ["EndOfTurnDetector", "TurnEvent", "VadEndpointer"]
