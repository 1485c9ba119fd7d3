"""Real local receivers for outbound notifications: an HTTP server and an SMTP server on 127.0.0.1,
and the helpers the notification tests share (their fixtures, `receiver`, `mailbox`, `notify_settings`
and `channels`, are in tests/conftest.py).

`Receiver` records every request (method, path, headers, raw body, arrival time) and can be told,
per path, to answer with a status (or a sequence of statuses), to hang longer than our timeout,
or to drop the connection; `stop()`/`start()` take the whole server down and back up on the same
port (connection refused meanwhile). `Mailbox` is an aiosmtpd server that keeps every message.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    at: float  # time.monotonic() on arrival
    wall: float  # time.time() on arrival

    def json(self) -> Any:
        import json

        return json.loads(self.body)


@dataclass
class _Behaviour:
    statuses: deque = field(default_factory=deque)  # consumed one per request; the last one sticks
    hang_s: float = 0.0
    drop: bool = False
    body: bytes = b"ok"


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._behaviour: dict[str, _Behaviour] = {}
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self.port = _free_port()
        self._server: ThreadingHTTPServer | None = None
        self.start()

    # control ------------------------------------------------------------------------------------
    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def respond(self, path: str, *statuses: int, body: bytes = b"ok") -> None:
        """Answer requests to `path` with these statuses in turn (the last one repeats)."""
        with self._lock:
            self._behaviour[path] = _Behaviour(statuses=deque(statuses or (200,)), body=body)

    def hang(self, path: str, seconds: float = 8.0) -> None:
        with self._lock:
            self._behaviour[path] = _Behaviour(hang_s=seconds)

    def drop(self, path: str) -> None:
        """Close the connection without answering."""
        with self._lock:
            self._behaviour[path] = _Behaviour(drop=True)

    def start(self) -> None:
        handler = _handler(self)
        for _ in range(50):  # the port may linger briefly after stop()
            try:
                self._server = _Server(("127.0.0.1", self.port), handler)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"cannot bind 127.0.0.1:{self.port}")
        self._server.daemon_threads = True
        self._server.block_on_close = False
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # reading ------------------------------------------------------------------------------------
    def at(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def wait_for(self, path: str, count: int = 1, timeout: float = 10.0) -> list[Request]:
        """Wait until `count` requests reached `path`; returns them (fewer on timeout)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                got = [r for r in self.requests if r.path == path]
                left = deadline - time.monotonic()
                if len(got) >= count or left <= 0:
                    return got
                self._arrived.wait(left)

    # internals ----------------------------------------------------------------------------------
    def _record(self, req: Request) -> _Behaviour:
        with self._arrived:
            self.requests.append(req)
            self._arrived.notify_all()
            behaviour = self._behaviour.get(req.path) or _Behaviour(statuses=deque([200]))
            status = behaviour.statuses[0] if behaviour.statuses else 200
            if len(behaviour.statuses) > 1:
                behaviour.statuses.popleft()
            return _Behaviour(
                statuses=deque([status]), hang_s=behaviour.hang_s, drop=behaviour.drop, body=behaviour.body
            )


class _Server(ThreadingHTTPServer):
    request_queue_size = 512  # many deliveries connect at once
    daemon_threads = True
    block_on_close = False


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            behaviour = receiver._record(
                Request(
                    method="POST",
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    at=time.monotonic(),
                    wall=time.time(),
                )
            )
            if behaviour.drop:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if behaviour.hang_s:
                time.sleep(behaviour.hang_s)
            try:
                self.send_response(behaviour.statuses[0])
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(behaviour.body)))
                self.end_headers()
                self.wfile.write(behaviour.body)
            except OSError:
                pass  # the client gave up (our timeout)

        do_GET = do_POST

    return Handler


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """aiosmtpd on 127.0.0.1: every message parsed (`email.message.EmailMessage`)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.EmailMessage] = []
        self._cond = threading.Condition()
        mailbox = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                with mailbox._cond:
                    mailbox.messages.append(message)
                    mailbox._cond.notify_all()
                return "250 Message accepted for delivery"

        self.port = _free_port()  # port=0 does not work: start() connects to self.port
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self._cond:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10.0, subject: str = "") -> list:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [
                    m for m in self.messages if address.lower() in str(m["To"]).lower() and subject in str(m["Subject"])
                ]
                left = deadline - time.monotonic()
                if len(got) >= count or left <= 0:
                    return got
                self._cond.wait(left)

    def stop(self) -> None:
        self.controller.stop()


def parts(message: email.message.EmailMessage) -> dict[str, str]:
    """{content type: text} of a message's text parts."""
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            found[part.get_content_type()] = part.get_content()
    return found


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


class Channels:
    """Creates channels through the service; pauses them all at the end of the test so nothing a test
    left pending is sent during later tests."""

    def __init__(self, db):
        self.db = db
        self.made: list[tuple[object, str]] = []

    def make(
        self,
        org,
        kind: str,
        *,
        url: str | None = None,
        email: str | None = None,
        events=("call.completed",),
        client=None,
        **extra,
    ):
        from voiceconsole.services.access.actor import SYSTEM
        from voiceconsole.services.notifications import channels as nc

        created = nc.create_channel(
            self.db,
            org=org,
            actor=SYSTEM,
            kind=kind,
            events=list(events),
            url=url,
            email=email,
            client_id=client.public_id if client else None,
            **extra,
        )
        self.db.commit()
        self.made.append((org, created.id))
        return created

    def close(self) -> None:
        from sqlalchemy import update
        from sqlmodel import select

        from voiceconsole.models import Delivery, NotificationChannel

        self.db.rollback()
        for _, public_id in self.made:
            channel = self.db.exec(
                select(NotificationChannel).where(NotificationChannel.public_id == public_id)
            ).first()
            if channel is None:
                continue
            channel.status = "paused"
            self.db.add(channel)
            self.db.execute(
                update(Delivery)
                .where(Delivery.channel_id == channel.id, Delivery.status.in_(("pending", "delivering")))
                .values(status="held")
            )
        self.db.commit()


def record(db, org, type: str, payload: dict):
    """Record an event the way the services do, and commit."""
    from voiceconsole.services.notifications.events import record_event

    event = record_event(db, organization_id=org.id, type=type, payload=payload)
    db.commit()
    return event


def deliver_now(max_seconds: float = 30.0):
    """Fan out and pump in this process (the same functions the notify jobs run)."""
    from voiceconsole.services.notifications.fanout import fan_out_all
    from voiceconsole.services.notifications.sender import deliver_due

    fan_out_all()
    return deliver_due(max_seconds=max_seconds)


def verify_hex(secret: str, request) -> bool:
    """What a receiver reading our docs does: HMAC-SHA256 of the raw body, keyed with the whole secret."""
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request.headers.get("x-voiceconsole-signature", ""))


def body_of(request) -> dict:
    return json.loads(request.body)
