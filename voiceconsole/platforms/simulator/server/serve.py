"""Serving in a background thread (tests, benchmarks): `serve_in_thread` runs an ASGI app with uvicorn on
an already bound socket in a daemon thread and returns its base URL and a `stop()` function.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any


def serve_in_thread(
    app: Any, host: str = "127.0.0.1", port: int = 0, *, log_level: str = "warning", startup_timeout: float = 10.0
) -> tuple[str, Callable[[], None]]:
    """Run `app` with uvicorn in a daemon thread; return its base URL and a `stop()` function.

    `port=0` picks a free port. The socket is bound before the thread starts, so the URL is valid
    as soon as this returns.
    """
    import uvicorn  # only needed to serve; the app itself runs under any ASGI server

    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that say so, and without it
    # every keep-alive response waits ~40 ms on delayed ACKs.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    server = uvicorn.Server(uvicorn.Config(app, log_level=log_level, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="simulator-http", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the simulator server did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

    return f"http://{host}:{sock.getsockname()[1]}", stop
