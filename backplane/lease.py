"""Ownership of a live session: a lease (PX TTL) plus a fencing token every write must carry."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from backplane.errors import BackplaneError, StaleOwner
from backplane.keys import SessionKeys, session_keys
from backplane.validation import check_text

if TYPE_CHECKING:
    from backplane.store import Backplane

log = logging.getLogger(__name__)


class Lease:
    """A held lease. `token` is the fencing token; `lost` turns true once fenced out."""

    def __init__(
        self,
        backplane: Backplane,
        keys: SessionKeys,
        owner: str,
        token: int,
        ttl_ms: int,
        previous_owner: str | None,
    ) -> None:
        self._bp = backplane
        self.keys = keys
        self.owner = owner
        self.token = token
        self.ttl_ms = ttl_ms
        self.previous_owner = previous_owner
        self.lost = False
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def acquire(
        cls, backplane: Backplane, session_id: str, *, owner: str, takeover: bool, ttl_ms: int
    ) -> Lease:
        from backplane.store import raise_for

        keys = session_keys(session_id)
        check_text("owner", owner, 200)
        if "|" in owner or not owner:
            raise BackplaneError("owner must be non-empty and must not contain '|'")
        args = [owner, ttl_ms, "1" if takeover else "0"]
        reply = await backplane._retry(
            "lease_acquire",
            lambda: backplane.scripts.run(
                "lease_acquire", [keys.state, keys.lease, keys.fence], args
            ),
        )
        raise_for(reply, session_id)
        if reply.get("previous"):
            log.warning("session %s taken over from %s by %s", session_id, reply["previous"], owner)
        return cls(backplane, keys, owner, int(reply["token"]), ttl_ms, reply.get("previous"))

    async def renew(self) -> None:
        """Extend the lease; StaleOwner if another worker has taken the session."""
        from backplane.store import raise_for

        reply = await self._bp._retry(
            "lease_renew",
            lambda: self._bp.scripts.run(
                "lease_renew",
                [self.keys.lease, self.keys.fence],
                [self.owner, self.token, self.ttl_ms],
            ),
        )
        try:
            raise_for(reply, self.keys.session_id, self.token)
        except StaleOwner:
            self.lost = True
            raise

    def start_keep_alive(self) -> None:
        """Renew in the background at a third of the TTL until released or fenced out."""
        self._task = asyncio.create_task(self._keep_alive(), name=f"lease:{self.keys.session_id}")

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self.ttl_ms / 3000)
            try:
                await self.renew()
            except StaleOwner:
                log.warning("session %s: lease lost to another worker", self.keys.session_id)
                return
            except BackplaneError as exc:  # Redis away past the deadline: keep trying
                log.warning("session %s: lease renewal failed: %s", self.keys.session_id, exc)

    async def release(self) -> None:
        """Stop renewing and free the lease if still ours (a no-op otherwise)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(BackplaneError):
            await self._bp._retry(
                "lease_release",
                lambda: self._bp.scripts.run(
                    "lease_release", [self.keys.lease], [self.owner, self.token]
                ),
            )
