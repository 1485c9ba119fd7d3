"""ASGI middleware of the REST API."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RateLimitHeaders:
    """Adds the rate-limit headers the auth dependency decided (`request.state.rate_headers`) to every
    response, errors included; headers a response already has win. Pure ASGI: no extra task or stream
    per request, as `BaseHTTPMiddleware` would add."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})  # what `request.state` reads and writes downstream

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and state.get("rate_headers"):
                headers = MutableHeaders(scope=message)
                for name, value in state["rate_headers"].items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
