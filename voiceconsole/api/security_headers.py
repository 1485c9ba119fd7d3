"""CORS and security headers for everything the app serves (API and pages): one pure-ASGI middleware.

CORS: only the configured origins (`Settings.allowed_origins`) may read responses with the user's cookies;
a preflight is answered here, with the methods the API uses and the headers its clients send. Headers:
`nosniff`, no framing (`X-Frame-Options`, CSP `frame-ancestors`), `Referrer-Policy: same-origin` (the
magic-link URL holds a token; `no-referrer` would also turn the `Origin` of our own POSTs into `null`,
which the CSRF check in api/deps.py refuses), HSTS when the base URL is https, and `no-store` on API
responses unless the route chose its own `Cache-Control`.

Where it runs: the Reflex app wraps its whole ASGI app in it (voiceconsole.py), outside the CORS
middleware Reflex adds to every Starlette app it builds (`allow_methods=["*"]`, `allow_headers=["*"]`,
each appending its own `Vary: Origin`), so preflights never reach Reflex's and the CORS headers and
`Vary` are settled here, once. The API app carries it too (api/main.py), for when it is served alone
(uvicorn, tests); inside the Reflex app that copy sees the request is already handled and steps aside.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voiceconsole.settings import get_settings

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")  # what the API's routes answer
REQUEST_HEADERS = ("Accept", "Accept-Language", "Authorization", "Content-Language", "Content-Type")
EXPOSED_HEADERS = (  # what a browser client may read besides the basics
    "Content-Disposition",
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)
PREFLIGHT_MAX_AGE_S = 600
HSTS = "max-age=31536000"
_HANDLED = "voiceconsole.security_headers"  # scope key: an outer copy of this middleware has the request
_CORS_RESPONSE_HEADERS = (
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-expose-headers",
)


class SecurityHeaders:
    """Defaults come from the settings: `allowed_origins`, and HSTS when `base_url` is https."""

    def __init__(self, app: ASGIApp, *, allowed_origins: Iterable[str] | None = None, hsts: bool | None = None):
        settings = get_settings()
        self.app = app
        self.allowed_origins = frozenset(settings.allowed_origins if allowed_origins is None else allowed_origins)
        self.hsts = settings.base_url.startswith("https://") if hsts is None else hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get(_HANDLED):
            await self.app(scope, receive, send)  # websockets: Reflex's socket checks the origin itself
            return
        scope[_HANDLED] = True
        request_headers = Headers(scope=scope)
        origin = request_headers.get("origin")
        if origin is not None and scope["method"] == "OPTIONS" and "access-control-request-method" in request_headers:
            await self._preflight(origin, request_headers, send)
            return
        api = scope["path"] == "/api" or scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                self._cors(headers, origin)
                self._security(headers, api)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _cors(self, headers: MutableHeaders, origin: str | None) -> None:
        for name in _CORS_RESPONSE_HEADERS:  # whatever an inner CORS layer decided, this one decides
            del headers[name]
        if origin is not None and origin in self.allowed_origins:
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Allow-Credentials"] = "true"
            headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
        _vary(headers, "Origin")

    def _security(self, headers: MutableHeaders, api: bool) -> None:
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault("X-Frame-Options", "DENY")
        policy = headers.get("content-security-policy")
        if policy is None:
            headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        elif "frame-ancestors" not in policy:
            headers["Content-Security-Policy"] = f"{policy.rstrip('; ')}; frame-ancestors 'none'"
        headers.setdefault("Referrer-Policy", "same-origin")
        if self.hsts:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if api:
            headers.setdefault("Cache-Control", "no-store")  # authenticated data; a route may choose its own

    async def _preflight(self, origin: str, request_headers: Headers, send: Send) -> None:
        requested = [h.strip().lower() for h in request_headers.get("access-control-request-headers", "").split(",")]
        failures = []
        if origin not in self.allowed_origins:
            failures.append("origin")
        if request_headers["access-control-request-method"] not in METHODS:
            failures.append("method")
        if any(h and h not in {name.lower() for name in REQUEST_HEADERS} for h in requested):
            failures.append("headers")
        response: Message = {"type": "http.response.start", "status": 400 if failures else 200, "headers": []}
        headers = MutableHeaders(scope=response)
        if not failures:
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Allow-Credentials"] = "true"
            headers["Access-Control-Allow-Methods"] = ", ".join(METHODS)
            headers["Access-Control-Allow-Headers"] = ", ".join(REQUEST_HEADERS)
            headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_S)
        for name in ("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"):
            _vary(headers, name)
        self._security(headers, api=False)
        body = ("Disallowed CORS " + ", ".join(failures) if failures else "OK").encode()
        headers["Content-Type"] = "text/plain; charset=utf-8"
        headers["Content-Length"] = str(len(body))
        await send(response)
        await send({"type": "http.response.body", "body": body})


def _vary(headers: MutableHeaders, name: str) -> None:
    """Adds `name` to `Vary` unless it is there, and folds every `Vary` into one header without repeats."""
    names: dict[str, str] = {}
    for value in [*headers.getlist("vary"), name]:
        for token in value.split(","):
            if token.strip():
                names.setdefault(token.strip().lower(), token.strip())
    headers["Vary"] = ", ".join(names.values())
