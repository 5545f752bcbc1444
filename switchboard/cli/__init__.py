"""The `switchboard` command line: one typer app, one module per subcommand."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="switchboard",
    help="Phone voice agents: specialist teams that hand a call on without losing context.",
    no_args_is_help=True,
    add_completion=False,
)

# Each entry is a module in this package exposing `register(app)`.
_COMMANDS: tuple[str, ...] = ("demo", "validate", "bench", "chat", "replay", "serve", "call")

for _name in _COMMANDS:
    importlib.import_module(f"{__name__}.{_name}").register(app)


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
