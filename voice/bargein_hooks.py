"""The call loop's `InboundHookFactory` for barge-in: one controller per call.

All calls share the process-wide batched Silero session and one candidate recogniser
(`SegmentWords`, a short-context Whisper decode on its own worker thread). Settings come per
call from `settings_for(session_id)`, so a server can apply the `barge_in:` block of the agent
definition that answers the call.
"""

from __future__ import annotations

from collections.abc import Callable

from voice.bargein import BargeInController, SegmentRecognizer
from voice.bargein_settings import BargeInSettings
from voice.bargein_words import SegmentWords


class BargeInHooks:
    """`InboundHookFactory`: `hooks(session_id)` -> a new `BargeInController`."""

    def __init__(
        self,
        *,
        settings: BargeInSettings | None = None,
        settings_for: Callable[[str], BargeInSettings] | None = None,
        words: SegmentRecognizer | None = None,
        recognise: bool = True,
    ) -> None:
        self.settings = settings or BargeInSettings()
        self._settings_for = settings_for
        self.words: SegmentRecognizer | None = words
        if self.words is None and recognise:
            self.words = SegmentWords()
        self.controllers: dict[str, BargeInController] = {}
        """The latest controller of each session (tests and diagnostics read it)."""

    def __call__(self, session_id: str) -> BargeInController:
        settings = self._settings_for(session_id) if self._settings_for else self.settings
        controller = BargeInController(settings, recognizer=self.words)
        self.controllers[session_id] = controller
        return controller

    async def warm_up(self) -> None:
        """Load the candidate recogniser before the first caller barges in."""
        warm = getattr(self.words, "warm_up", None)
        if warm is not None:
            await warm()


__all__ = ["BargeInHooks"]
