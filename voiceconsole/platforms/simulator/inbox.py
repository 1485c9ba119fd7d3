"""A receiver for VoiceConsole's own notifications, so the demo can show them without Slack or Discord.

`POST /_sim/inbox/{box}` records the request (headers and raw body) and answers 200, like a Slack
incoming webhook, a Discord webhook or an agency's automation would. `GET /_sim/inbox[?box=]` lists
what arrived (newest last), `GET /_sim/inbox/view` shows it as a page, `DELETE /_sim/inbox` empties it.
The demo organization's notification channels point here (`voiceconsole demo`).
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections import deque
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

MAX_MESSAGES = 500  # oldest dropped first: the demo runs for days
MAX_BODY = 256 * 1024


class Inbox:
    def __init__(self) -> None:
        self._messages: deque[dict[str, Any]] = deque(maxlen=MAX_MESSAGES)
        self._lock = threading.Lock()

    def add(self, box: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        text = body.decode("utf-8", errors="replace")
        try:
            parsed: Any = json.loads(text)
        except ValueError:
            parsed = None
        message = {"box": box, "receivedAt": time.time(), "headers": headers, "body": text, "json": parsed}
        with self._lock:
            self._messages.append(message)
        return message

    def list(self, box: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self._messages if box is None or m["box"] == box]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


def inbox_routes(inbox: Inbox) -> APIRouter:
    router = APIRouter(prefix="/_sim/inbox")

    @router.get("", include_in_schema=False)
    async def list_messages(box: str | None = None) -> Response:
        return JSONResponse({"messages": inbox.list(box)})

    @router.delete("", include_in_schema=False)
    async def clear() -> Response:
        inbox.clear()
        return JSONResponse({"cleared": True})

    @router.get("/view", include_in_schema=False)
    async def view() -> Response:
        rows = "".join(
            f"<tr><td>{html.escape(m['box'])}</td><td>{time.strftime('%H:%M:%S', time.localtime(m['receivedAt']))}</td>"
            f"<td>{html.escape(m['headers'].get('x-voiceconsole-event', ''))}</td>"
            f"<td><pre>{html.escape(json.dumps(m['json'], indent=2) if m['json'] is not None else m['body'])}</pre>"
            "</td></tr>"
            for m in reversed(inbox.list())
        )
        return HTMLResponse(
            "<!doctype html><title>Simulator inbox</title><meta http-equiv=refresh content=5>"
            "<h1>Notifications received</h1><table border=1 cellpadding=6>"
            "<tr><th>Box</th><th>Time</th><th>Event</th><th>Body</th></tr>" + rows + "</table>"
        )

    @router.post("/{box}", include_in_schema=False)
    async def receive(box: str, request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "body too large"}, status_code=413)
        inbox.add(box[:64], {k.lower(): v for k, v in request.headers.items()}, body)
        return Response("ok", media_type="text/plain")

    return router
