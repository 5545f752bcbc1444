"""The contract between the call loop and the conversation brain.

`voice` must not import `switchboard`, so the call loop is given a factory that builds one
`CallAgent` per live call; the orchestrator in `switchboard` implements it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from backplane import OwnedSession


class CallAgent(Protocol):
    """One live call's conversation, bound to a backplane session."""

    def greeting(self) -> AsyncIterator[str]:
        """Text chunks of the opening line (empty when resuming mid-call)."""
        ...

    def respond(self, caller_text: str) -> AsyncIterator[str]:
        """Stream the reply to one caller turn as text chunks (sentences or clauses)."""
        ...

    async def on_interrupted(self, heard_text: str) -> None:
        """The caller barged in: keep only `heard_text` of the last reply in the history."""
        ...


class EndingCallAgent(CallAgent, Protocol):
    """A `CallAgent` that can end the call itself (e.g. after saying goodbye).

    Optional: the call loop reads `ended` with a default of False, so agents without it
    never hang up on their own."""

    @property
    def ended(self) -> bool:
        """True once the last reply was the final one: hang up after it has played."""
        ...


def agent_ended(agent: CallAgent) -> bool:
    """Whether `agent` has ended the call (False for agents that cannot)."""
    return bool(getattr(agent, "ended", False))


class CallAgentFactory(Protocol):
    """Builds the `CallAgent` for a call once its stream starts (or resumes on a new worker)."""

    async def __call__(self, session: OwnedSession, *, resumed: bool) -> CallAgent: ...
