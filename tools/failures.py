"""Turning an error into the typed failure the agent sees."""

from __future__ import annotations

from tools.errors import (
    InvalidArguments,
    RetryAfter,
    ToolRejected,
    ToolTimeout,
    ToolUnavailable,
    UnknownTool,
)
from tools.result import FailureKind, ToolFailure


class BreakerOpen(Exception):
    """Internal marker: the breaker refused the attempt, the tool was not called."""


def failure_for(exc: BaseException) -> ToolFailure:
    name = type(exc).__name__
    if isinstance(exc, ToolTimeout):
        return ToolFailure(kind=FailureKind.TIMEOUT, error_class=name)
    if isinstance(exc, RetryAfter):
        return ToolFailure(
            kind=FailureKind.RATE_LIMITED, error_class=name, retry_after_s=exc.seconds
        )
    if isinstance(exc, ToolUnavailable):
        return ToolFailure(kind=FailureKind.UNAVAILABLE, error_class=name)
    if isinstance(exc, ToolRejected):
        return ToolFailure(kind=FailureKind.REJECTED, error_class=name, reason=exc.reason)
    if isinstance(exc, InvalidArguments):
        return ToolFailure(kind=FailureKind.INVALID_ARGUMENTS, error_class=name)
    if isinstance(exc, UnknownTool):
        return ToolFailure(kind=FailureKind.UNKNOWN_TOOL, error_class=name)
    if isinstance(exc, BreakerOpen):
        return ToolFailure(kind=FailureKind.BREAKER_OPEN, error_class=name)
    # Our own bugs and missing configuration: nothing the caller can fix.
    return ToolFailure(kind=FailureKind.ERROR, error_class=name)
