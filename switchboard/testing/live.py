"""Serve an ASGI app on a real loopback socket inside the running event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import uvicorn

from voice.config import WS_MAX_BYTES


def loopback_socket(host: str = "127.0.0.1", port: int = 0) -> tuple[socket.socket, str]:
    """A bound listening socket and its base URL, so the URL is known before serving."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock, f"http://{host}:{sock.getsockname()[1]}"


@contextlib.asynccontextmanager
async def serve(app: object, *, sock: socket.socket | None = None) -> AsyncIterator[str]:
    """Run `app` under uvicorn until the block exits; yields its base URL (http://host:port)."""
    if sock is None:
        sock, _ = loopback_socket()
    host, bound = sock.getsockname()[:2]
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        log_level="warning",
        ws_max_size=WS_MAX_BYTES,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()


__all__ = ["loopback_socket", "serve"]
