"""Servers and load benchmarks run on uvloop (installed with uvicorn[standard])."""

import asyncio

from voice import eventloop


def test_run_uses_uvloop_and_returns_the_result():
    async def main() -> tuple[str, int]:
        await asyncio.sleep(0)
        return eventloop.loop_name(), 42

    assert eventloop.run(main()) == ("uvloop", 42)


def test_loop_name_tells_asyncio_apart():
    async def main() -> str:
        return eventloop.loop_name()

    assert asyncio.run(main()) == "asyncio"
