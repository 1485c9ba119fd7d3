"""Request body limits, enforced while the body streams in: a declared `Content-Length` over the limit is
answered 413 before anything is read, and a body sent without one (chunked) is cut off with a 413 as soon
as it passes the limit. Nothing is buffered past the limit, authenticated or not.

Why not FastAPI's own `max_body_size`: for a declared length it replaces whatever the app answers with a
plain-text 413, outside the API's error format.
"""

from __future__ import annotations

import json
import re

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"At most {limit // 1024:,} KiB")


class BodyLimit:
    """`default` bytes for every request, or the limit of the first `(path pattern, bytes)` that matches."""

    def __init__(self, app: ASGIApp, *, default: int, routes: tuple[tuple[str, int], ...] = ()) -> None:
        self.app = app
        self.default = default
        self.routes = tuple((re.compile(pattern), limit) for pattern, limit in routes)

    def limit_for(self, path: str) -> int:
        return next((limit for pattern, limit in self.routes if pattern.fullmatch(path)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0

        async def receive_within_limit() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)  # the API's handlers answer it in the error format
            return message

        await self.app(scope, receive_within_limit, send)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {"error": "Request body too large", "details": [{"field": "body", "message": f"At most {limit // 1024:,} KiB"}]}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
