"""ASGI middleware of the REST API."""

from __future__ import annotations

import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voiceconsole.services import logs, metrics


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


REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # what we accept from a proxy; anything else is replaced


class RequestContext:
    """Per request: its id (the incoming `X-Request-ID` when it looks like one, else a new one), set for the
    log records made while it runs (services/logs.py) and echoed in the response; and its latency and
    status, counted by route template (services/metrics). Pure ASGI, like `RateLimitHeaders`."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = logs.request_id.set(request_id)
        started = time.perf_counter()
        status = 500  # unless the app answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logs.request_id.reset(token)
            metrics.observe_request(
                method=scope["method"],
                route=route_template(scope),
                status=status,
                seconds=time.perf_counter() - started,
            )


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/api/v1/calls/{call_id}`): a bounded label, unlike the raw path.
    Built from the path and the matched path parameters (FastAPI's included routers know only their own part
    of the template). The Reflex app mounted at the root (pages, assets, its socket) is one label: `frontend`."""
    if not getattr(scope.get("route"), "path", None):
        return "frontend"
    path: str = scope.get("path", "")
    params = {name: str(value) for name, value in (scope.get("path_params") or {}).items() if str(value)}
    for name, value in params.items():  # a `{rest:path}` parameter spans segments: the path's tail
        if "/" in value and path.endswith(value):
            path, params = path[: -len(value)] + "{" + name + "}", {k: v for k, v in params.items() if k != name}
            break
    by_value = {value: name for name, value in params.items()}
    return "/".join("{" + by_value[segment] + "}" if segment in by_value else segment for segment in path.split("/"))
