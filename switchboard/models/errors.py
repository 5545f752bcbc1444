"""Errors of the model layer."""

from __future__ import annotations


class ModelLayerError(Exception):
    """Base class for errors raised by switchboard's models and providers."""


class ProviderConfigError(ModelLayerError):
    """A model name or provider setting cannot be used (e.g. an LLM name without an API key)."""

    def __init__(self, model: str, message: str) -> None:
        super().__init__(f"model {model!r}: {message}")
        self.model = model
