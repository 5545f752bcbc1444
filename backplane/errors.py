"""Every error the backplane raises; callers catch `BackplaneError` or a subclass."""

from __future__ import annotations


class BackplaneError(Exception):
    """Base class of backplane errors."""


class InvalidInput(BackplaneError, ValueError):
    """A value broke a documented limit (size, characters, type); nothing was written."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class SessionNotFound(BackplaneError, LookupError):
    """No session with this ID exists (never created, or expired after it ended)."""

    def __init__(self, session: str) -> None:
        self.session = session
        super().__init__(f"session {session!r} does not exist")


class SessionExists(BackplaneError):
    """`create_session` for an ID that is already taken."""

    def __init__(self, session: str) -> None:
        self.session = session
        super().__init__(f"session {session!r} already exists")


class SessionEnded(BackplaneError):
    """A write to a session whose status is `ended`."""

    def __init__(self, session: str) -> None:
        self.session = session
        super().__init__(f"session {session!r} has ended; it takes no more writes")


class StaleOwner(BackplaneError):
    """A write carried a fencing token older than the session's current one.

    Another worker took the session over; this worker must stop touching the call.
    """

    def __init__(self, session: str, token: int, current: int | None = None) -> None:
        self.session = session
        self.token = token
        self.current = current
        super().__init__(
            f"session {session!r}: fencing token {token} is stale (current {current}); "
            "another worker owns this session now, the write was rejected"
        )


class LeaseHeld(BackplaneError):
    """Someone else holds a live lease and the caller did not ask to take over."""

    def __init__(self, session: str, holder: str, remaining_ms: int) -> None:
        self.session = session
        self.holder = holder
        self.remaining_ms = remaining_ms
        super().__init__(
            f"session {session!r} is owned by {holder!r} for another {remaining_ms} ms; "
            "pass takeover=True to fence it out"
        )


class BackplaneUnavailable(BackplaneError, ConnectionError):
    """Redis did not come back within the retry deadline; the operation may be retried."""


class Conflict(BackplaneError):
    """A conditional write found the state changed (slot version, expected current agent)."""

    def __init__(self, session: str, message: str) -> None:
        self.session = session
        super().__init__(f"session {session!r}: {message}")
