"""The tool runtime (retries, idempotency, circuit breaker, audit) and the replay tool."""

from tools.agent_tools import ToolHost, as_function_tool, function_tools
from tools.audit import Outcome
from tools.breaker import BreakerState, CircuitBreaker
from tools.deps import BuiltinSettings, ToolDeps, TwilioSettings
from tools.errors import (
    InvalidArguments,
    RetryAfter,
    ToolConfigError,
    ToolError,
    ToolRejected,
    ToolTimeout,
    ToolUnavailable,
    UnknownTool,
)
from tools.registry import REGISTRY, ToolCall, ToolRegistry, ToolSpec, known_tools, tool
from tools.result import Action, FailureKind, ToolFailure, ToolResult
from tools.runtime import ToolInvoker, ToolRuntime, ToolScope
from tools.settings import BreakerSettings, RetryPolicy, ToolSettings

__all__ = [
    "REGISTRY",
    "Action",
    "BreakerSettings",
    "BreakerState",
    "BuiltinSettings",
    "CircuitBreaker",
    "FailureKind",
    "InvalidArguments",
    "Outcome",
    "RetryAfter",
    "RetryPolicy",
    "ToolCall",
    "ToolConfigError",
    "ToolDeps",
    "ToolError",
    "ToolFailure",
    "ToolHost",
    "ToolInvoker",
    "ToolRegistry",
    "ToolRejected",
    "ToolResult",
    "ToolRuntime",
    "ToolScope",
    "ToolSettings",
    "ToolSpec",
    "ToolTimeout",
    "ToolUnavailable",
    "TwilioSettings",
    "UnknownTool",
    "as_function_tool",
    "function_tools",
    "known_tools",
    "tool",
]
