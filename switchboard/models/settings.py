"""LLM provider settings, read from the environment in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class LLMSettings:
    """How to reach an OpenAI-compatible Chat Completions API."""

    api_key: str | None = None
    """`OPENAI_API_KEY`; without it every agent uses the offline model."""
    base_url: str | None = None
    """`OPENAI_BASE_URL`, for compatible servers (vLLM, Ollama, a gateway, a test server)."""
    model: str | None = None
    """`SWITCHBOARD_MODEL`: use this model for every agent, overriding the definitions."""
    timeout_s: float = 15.0
    """Per-request timeout; a voice turn cannot wait longer, the offline model answers."""
    max_retries: int = 1
    """Client-level retries before falling back to the offline model."""

    @classmethod
    def from_env(cls) -> LLMSettings:
        return cls(
            api_key=os.environ.get("OPENAI_API_KEY") or None,
            base_url=os.environ.get("OPENAI_BASE_URL") or None,
            model=os.environ.get("SWITCHBOARD_MODEL") or None,
        )
