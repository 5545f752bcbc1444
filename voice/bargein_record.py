"""Barge-in decisions on their way to the backplane: in order, and off the frame path.

A decision used to be written to Redis by the frame that made it, so the call's next frames
waited for the round trip, and with Redis away mid-call (a restart, a failover) they waited
for the backplane's whole retry deadline (20 s): the agent sat paused, no confirm, no resume.
Now the frame hands the event to the call's `DecisionLog` and goes on; one writer task per
call appends the events in the order they were made.

Nothing is dropped while the session is ours: a write the backplane gives up on (Redis away
past its deadline) is tried again, same event, same operation id, so a write that did land
before its reply was lost is not applied twice. A session another worker took over, or one
that ended, takes no more writes from us (`StaleOwner`, `SessionEnded`): what is left is
logged as lost, since a fenced-out worker must not write. The call loop closes the log
before it gives up the session (`close`), so the last decision is in the stream before the
lease is released.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import uuid
from dataclasses import dataclass
from typing import Protocol

from backplane.errors import BackplaneError, BackplaneUnavailable
from backplane.events import BargeInDecision

log = logging.getLogger(__name__)


class DecisionSession(Protocol):
    """The part of `backplane.OwnedSession` the log writes through."""

    session_id: str

    async def append(self, event: BargeInDecision, *, op_id: str | None = None) -> str: ...


@dataclass(frozen=True, kw_only=True, slots=True)
class DecisionLogSettings:
    retry_pause_s: float = 1.0
    """After the backplane gave up on a write (its own retries ran out), wait this long and
    try the same write again."""
    close_timeout_s: float = 25.0
    """`close` waits this long for the writes still queued (a little over the backplane's
    retry deadline), then logs what it could not write."""
    max_pending: int = 1000
    """Decisions kept while Redis is away; past this the oldest go (a call makes a few a
    second at most, so this is minutes of an outage)."""


class DecisionLog:
    """One call's barge-in decisions, written to its session in order by one task."""

    def __init__(self, settings: DecisionLogSettings | None = None) -> None:
        self.settings = settings or DecisionLogSettings()
        self._pending: collections.deque[tuple[DecisionSession, BargeInDecision, str]] = (
            collections.deque()
        )
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self.written = 0
        self.lost = 0

    @property
    def pending(self) -> int:
        """Decisions not written yet."""
        return len(self._pending)

    def put(self, session: DecisionSession, event: BargeInDecision) -> None:
        """Queue a decision (returns at once; the writer task appends it)."""
        if len(self._pending) >= self.settings.max_pending:
            self._pending.popleft()
            self.lost += 1
            log.error(
                "barge-in: %d decisions waiting for Redis; dropped the oldest of session %s",
                self.settings.max_pending,
                session.session_id,
            )
        self._pending.append((session, event, uuid.uuid4().hex))
        self._idle.clear()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._write(), name="barge-in decisions")

    async def flush(self, timeout_s: float | None = None) -> bool:
        """Wait until every queued decision is written (or given up on); False on timeout."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        """Write what is queued (up to `close_timeout_s`), then stop; what is left is lost."""
        done = await self.flush(self.settings.close_timeout_s)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if not done:
            waited = self.settings.close_timeout_s
            self._lose_pending(f"Redis did not come back within {waited:.0f} s")
        self._idle.set()

    def _lose_pending(self, why: object) -> None:
        """Give up on every queued decision, counted and logged."""
        if self._pending:
            self.lost += len(self._pending)
            log.error(
                "barge-in: %d decisions of session %s not recorded: %s",
                len(self._pending),
                self._pending[0][0].session_id,
                why,
            )
            self._pending.clear()

    async def _write(self) -> None:
        try:
            while self._pending:
                session, event, op_id = self._pending[0]
                try:
                    await session.append(event, op_id=op_id)
                except BackplaneUnavailable as exc:
                    log.warning("barge-in: decision not recorded yet (%s); will retry", exc)
                    await asyncio.sleep(self.settings.retry_pause_s)
                    continue
                except BackplaneError as exc:  # taken over or ended: not ours to write
                    self._lose_pending(exc)
                    break
                except Exception:
                    self.lost += 1
                    log.exception("barge-in: could not record a decision; skipped it")
                else:
                    self.written += 1
                self._pending.popleft()
        finally:
            if not self._pending:
                self._idle.set()


__all__ = ["DecisionLog", "DecisionLogSettings", "DecisionSession"]
