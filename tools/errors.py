"""Every error of the tool runtime. Tools raise these; the runtime turns them into results.

Tools signal *what happened* with a typed error; the runtime decides what to do about it
(retry, wait, open the breaker, give the agent a typed failure). Messages never carry argument
or result values: they end up in logs.
"""

from __future__ import annotations


class ToolError(Exception):
    """Base class of tool errors."""

    #: Whether the runtime may try the same call again (same idempotency key).
    retryable: bool = False
    #: Whether this failure counts against the tool's circuit breaker.
    breaker_failure: bool = True


class ToolTimeout(ToolError):
    """One attempt took longer than its share of the invocation deadline."""

    retryable = True

    def __init__(self, tool: str, seconds: float) -> None:
        self.tool = tool
        self.seconds = seconds
        super().__init__(f"tool {tool!r}: no answer within {seconds:.2f} s")


class ToolUnavailable(ToolError):
    """A transient failure of the service behind the tool (connection refused, 5xx)."""

    retryable = True

    def __init__(self, tool: str, detail: str = "", status: int | None = None) -> None:
        self.tool = tool
        self.status = status
        super().__init__(f"tool {tool!r} unavailable" + (f": {detail}" if detail else ""))


class RetryAfter(ToolError):
    """The service asked us to slow down (HTTP 429); `seconds` from its Retry-After header."""

    retryable = True
    # Being rate limited says nothing about the service's health.
    breaker_failure = False

    def __init__(self, tool: str, seconds: float | None) -> None:
        self.tool = tool
        self.seconds = seconds
        when = f"after {seconds:.2f} s" if seconds is not None else "later"
        super().__init__(f"tool {tool!r} rate limited; retry {when}")


class ToolRejected(ToolError):
    """The service understood the request and said no (conflict, not found, 4xx).

    `reason` is a short machine word the agent can act on ("slot_taken", "not_found").
    """

    breaker_failure = False

    def __init__(self, tool: str, reason: str, status: int | None = None) -> None:
        self.tool = tool
        self.reason = reason
        self.status = status
        super().__init__(f"tool {tool!r} rejected the request: {reason}")


class InvalidArguments(ToolError):
    """The arguments did not match the tool's schema; nothing was called."""

    breaker_failure = False

    def __init__(self, tool: str, fields: list[str]) -> None:
        self.tool = tool
        self.fields = fields
        super().__init__(f"tool {tool!r}: invalid arguments ({', '.join(fields) or '?'})")


class UnknownTool(ToolError, LookupError):
    """No tool of this name is registered."""

    breaker_failure = False

    def __init__(self, tool: str) -> None:
        self.tool = tool
        super().__init__(f"no tool named {tool!r} is registered")


class ToolConfigError(ToolError):
    """A built-in tool lacks its configuration (URL, credentials)."""

    breaker_failure = False

    def __init__(self, tool: str, setting: str) -> None:
        self.tool = tool
        self.setting = setting
        super().__init__(f"tool {tool!r} needs the setting {setting}")


class RecordedResultMissing(ToolError):
    """Replay: the log holds no result for this call (the rerun diverged before it)."""

    breaker_failure = False

    def __init__(self, tool: str, idempotency_key: str) -> None:
        self.tool = tool
        self.idempotency_key = idempotency_key
        super().__init__(f"replay: no recorded result for tool {tool!r} ({idempotency_key})")
