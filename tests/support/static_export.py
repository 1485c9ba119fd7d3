"""The split deployment in tests: the frontend exported by `reflex export` and served by a plain static
web server, the backend running alone (`reflex run --env prod --backend-only`) on another port.

`export_frontend` builds into a web directory of its own (`REFLEX_WEB_WORKDIR`), so the checkout's `.web`
(used by `reflex run` and the other browser tests) is never touched; bun's package cache is shared.
`StaticSite` is what any static server does with the export (README "Deploying"): files as they are,
`/calls` from `calls.html` or `calls/index.html`, and every other path (dynamic routes such as
`/calls/<id>`) answered with the SPA shell `404.html`, which routes in the browser.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPORT_TIMEOUT_S = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _plain_pg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://").replace("postgres://", "postgresql://")


def create_pg_database(admin_url: str, prefix: str) -> tuple[str, str]:
    """A fresh database on the server of `admin_url`: its name and URL."""
    import psycopg

    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(_plain_pg_url(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, f"{admin_url.rpartition('/')[0]}/{name}"


def drop_pg_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_plain_pg_url(admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stop_process_group(proc: subprocess.Popen) -> None:
    """SIGINT to the process group (reflex ignores SIGTERM), then SIGKILL."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def reflex_command() -> list[str]:
    reflex = Path(sys.executable).with_name("reflex")
    return [str(reflex)] if reflex.exists() else [sys.executable, "-m", "reflex"]


def export_frontend(web_dir: Path, api_url: str, env: dict[str, str], log_path: Path) -> tuple[Path, float]:
    """`REFLEX_API_URL=<api_url> reflex export --frontend-only --no-zip` into `web_dir`; returns the
    directory to serve (`<web_dir>/build/client`) and how long the export took, in seconds."""
    export_env = {**env, "REFLEX_WEB_WORKDIR": str(web_dir), "REFLEX_API_URL": api_url}
    started = time.monotonic()
    with open(log_path, "w") as log:
        done = subprocess.run(
            [*reflex_command(), "export", "--frontend-only", "--no-zip", "--loglevel", "info"],
            cwd=ROOT,
            env=export_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=EXPORT_TIMEOUT_S,
        )
    elapsed = time.monotonic() - started
    site = web_dir / "build" / "client"
    if done.returncode != 0 or not (site / "404.html").exists():
        raise RuntimeError(f"reflex export failed ({done.returncode}):\n{log_path.read_text()[-4000:]}")
    return site, elapsed


class _SpaHandler(SimpleHTTPRequestHandler):
    """Python's file server plus the two rules a static host needs for the export (try_files)."""

    def translate_path(self, path: str) -> str:
        found = Path(super().translate_path(path))
        root = Path(self.directory)
        for candidate in (found, found.with_name(found.name + ".html"), found / "index.html"):
            if candidate.is_file():
                return str(candidate)
        return str(root / "404.html")  # the SPA shell: the browser's router shows the page (or its own 404)

    def log_message(self, format: str, *args) -> None:
        pass


class StaticSite:
    """A static web server for `directory` on 127.0.0.1:`port`, in a thread (a context manager)."""

    def __init__(self, directory: Path, port: int):
        self.server = ThreadingHTTPServer(("127.0.0.1", port), partial(_SpaHandler, directory=str(directory)))
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="static-site", daemon=True)

    def __enter__(self) -> StaticSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
