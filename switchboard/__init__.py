"""switchboard: the wiring of definitions, orchestrator, models, voice and tools."""

__version__ = "0.1.0"

__all__ = ["__version__"]
