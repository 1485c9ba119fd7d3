"""The per-platform request pipeline: `_PlatformApi`, one platform's router, sends every request through
fault injection, API-key auth and the request log before its handler runs; `_Incoming` is what a handler
gets, `ApiError` an error answered in the platform's own body shape (`_error`, `_fault_response`), and
`_json` the fast JSON response every route and the control API use.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import QueryParams
from starlette.responses import Response

from voiceconsole.platforms.simulator.state import SimulatorState


class ApiError(Exception):
    """An error answer in the platform's own shape."""

    def __init__(self, status: int, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.field = status, message, code, field


class _Incoming:
    """What a handler needs from a request: path params, query and the parsed JSON body."""

    def __init__(self, request: Request, raw_body: bytes) -> None:
        self.params = request.path_params
        self.query: QueryParams = request.query_params
        self._raw = raw_body

    def body(self) -> dict[str, Any]:
        if not self._raw.strip():
            return {}
        try:
            parsed = json.loads(self._raw)
        except ValueError as exc:
            raise ApiError(400, "Invalid JSON body") from exc
        if not isinstance(parsed, dict):
            raise ApiError(400, "The JSON body must be an object")
        return parsed


Handler = Callable[[_Incoming], Response | Any]


class _PlatformApi:
    """One platform's router. Every request goes through faults, auth and the request log."""

    def __init__(self, platform: str, state: SimulatorState) -> None:
        self.platform, self.state = platform, state
        self.prefix = f"/{platform}"
        self.router = APIRouter(prefix=self.prefix)

    def route(self, method: str, path: str, *more_methods: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            async def endpoint(request: Request) -> Response:
                return await self._handle(request, handler)

            self.router.add_api_route(path, endpoint, methods=[method, *more_methods], include_in_schema=False)
            return handler

        return register

    def finish(self) -> None:
        """Unknown paths under the platform still need a key, then answer 404."""

        def not_found(_: _Incoming) -> Response:
            raise ApiError(404, "Not found")

        self.route("GET", "/{rest:path}", "POST", "PUT", "PATCH", "DELETE")(not_found)

    async def _handle(self, request: Request, handler: Handler) -> Response:
        path = request.url.path[len(self.prefix) :] or "/"
        raw_body = await request.body()
        fault = self.state.take_fault(self.platform, path)
        if fault is not None:
            response = _fault_response(self.platform, fault.status, fault.retry_after)
        elif not self.state.key_accepted(self.platform, _presented_key(self.platform, request)):
            response = _error(self.platform, ApiError(401, _UNAUTHORIZED[self.platform], code="invalid_api_key"))
        else:
            try:
                with self.state.lock:  # test threads may change the data meanwhile
                    result = handler(_Incoming(request, raw_body))
                response = result if isinstance(result, Response) else _json(result)
            except ApiError as exc:
                response = _error(self.platform, exc)
        self.state.record(self.platform, request.method, path, request.url.query, response.status_code)
        return response


_UNAUTHORIZED = {
    "retell": "API key is missing or invalid.",
    "vapi": "Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.",
    "elevenlabs": "Invalid API key",
}


def _presented_key(platform: str, request: Request) -> str | None:
    if platform == "elevenlabs":
        return request.headers.get("xi-api-key")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # Serialised by hand: FastAPI's encoder is far slower on pages of large nested calls.
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def _error(platform: str, exc: ApiError, headers: dict[str, str] | None = None) -> Response:
    phrase = HTTPStatus(exc.status).phrase
    if platform == "retell":
        body: Any = {"status": "error", "message": exc.message}
    elif platform == "vapi":
        # NestJS shape; validation failures (400) list their messages.
        body = {
            "message": [exc.message] if exc.status == 400 else exc.message,
            "error": phrase,
            "statusCode": exc.status,
        }
    elif exc.status == 422:
        body = {"detail": [{"loc": ["query", exc.field or ""], "msg": exc.message, "type": exc.code or "value_error"}]}
    else:
        code = exc.code or phrase.lower().replace(" ", "_")
        body = {"detail": {"status": code, "message": exc.message}}
    return _json(body, exc.status, headers)


_FAULT_MESSAGES = {
    429: "Too many requests, please slow down.",
    500: "Internal server error",
    503: "Service temporarily unavailable",
}


def _fault_response(platform: str, status: int, retry_after: float | None) -> Response:
    headers = {"Retry-After": str(math.ceil(retry_after))} if retry_after is not None else None
    if status == 502:  # what a load balancer in front of the API sends: HTML, not JSON
        html = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
        return Response(html, status_code=502, headers=headers, media_type="text/html")
    code = "rate_limit_exceeded" if status == 429 else None
    return _error(
        platform, ApiError(status, _FAULT_MESSAGES.get(status, HTTPStatus(status).phrase), code=code), headers
    )
