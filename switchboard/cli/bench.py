"""`switchboard bench ...`: run the benchmarks in the source tree's bench/ folder."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer

_BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


def _bench_module(name: str) -> ModuleType:
    # Benchmarks are dev tools that live beside the packages, not inside them.
    path = _BENCH_DIR / f"{name}.py"
    if not path.is_file():
        raise typer.BadParameter(f"{path} not found (benchmarks run from a source checkout)")
    spec = importlib.util.spec_from_file_location(f"switchboard_bench_{name}", path)
    if spec is None or spec.loader is None:
        raise typer.BadParameter(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bargein(
    corpus: Annotated[Path, typer.Option("--corpus", help="Folder with manifest.jsonl.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Results JSONL (baselines go beside it).")
    ] = None,
    decode_ms: Annotated[
        float | None,
        typer.Option(
            "--decode-ms",
            help="Candidate words land this long after they are asked for (default: the "
            "measured decode time); fixed, runs are reproducible on any machine.",
        ),
    ] = None,
) -> None:
    """Score the hybrid barge-in controller and two baselines on a corpus; prints JSON."""
    summary = asyncio.run(_bench_module("bargein").run(corpus, out, decode_ms=decode_ms))
    typer.echo(json.dumps(summary, indent=2))


def register(app: typer.Typer) -> None:
    bench = typer.Typer(help="Benchmarks (print JSON, compare against baselines).")
    bench.command("bargein")(bargein)
    app.add_typer(bench, name="bench")


__all__ = ["register"]
