"""Which tool names a definition file may use: the one seam between definitions and `tools`.

The tool runtime (package `tools`) owns the registry. When it exposes
`tools.registry.known_tools()`, that is the truth; until then (or when it is absent) the
built-in names below are accepted, so definitions validate without the runtime installed.
"""

from __future__ import annotations

import importlib

BUILTIN_TOOLS: frozenset[str] = frozenset(
    {
        "book_appointment",
        "find_availability",
        "cancel_appointment",
        "crm_writeback",
        "send_sms_confirmation",
        "transfer_to_human",
    }
)


def known_tools() -> frozenset[str]:
    """Registered tool names (from `tools.registry.known_tools()` when it lists any)."""
    try:
        registry = importlib.import_module("tools.registry")
        names = frozenset(registry.known_tools())
    except (ImportError, AttributeError):
        return BUILTIN_TOOLS
    # An empty registry means the runtime's built-ins are not there yet, not "no tools".
    return names or BUILTIN_TOOLS
