"""`switchboard demo`: a walkthrough of a session (grows into a full simulated call)."""

from __future__ import annotations

import asyncio

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def demo() -> None:
        """Run the offline demo (embedded Redis when REDIS_URL is unset)."""
        from switchboard.walkthrough import run_walkthrough

        asyncio.run(run_walkthrough())
