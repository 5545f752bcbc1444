"""Errors of the model layer."""

from __future__ import annotations


class ModelLayerError(Exception):
    """Base class for errors raised by switchboard's models and providers."""
