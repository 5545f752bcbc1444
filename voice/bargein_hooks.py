"""The call loop's `InboundHookFactory` for barge-in: one controller per call.

All calls share the process-wide batched Silero session and one candidate recogniser
(`SegmentWords`, a short-context Whisper decode on its own worker thread). Settings come from
`settings_for(agent)`, asked each time a reply starts playing with the name of the agent
speaking it (None if the call does not know), so a server applies the `barge_in:` block of the
agent in charge, and a handoff retunes the next reply.
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
        settings_for: Callable[[str | None], BargeInSettings] | None = None,
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
        pick = self._settings_for
        settings = pick(None) if pick is not None else self.settings
        controller = BargeInController(settings, recognizer=self.words, settings_for=pick)
        self.controllers[session_id] = controller
        return controller

    async def warm_up(self) -> None:
        """Load the candidate recogniser before the first caller barges in."""
        warm = getattr(self.words, "warm_up", None)
        if warm is not None:
            await warm()


__all__ = ["BargeInHooks"]
