"""The response envelope and error bodies of DESIGN.md §5."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from voiceconsole.services.errors import DomainError


def ok(data: Any, **meta: Any) -> dict[str, Any]:
    return {"data": data, "meta": meta}


class EnvelopeResponse(JSONResponse):
    """JSON rendered straight from JSON-ready data (what `.wire()` makes), skipping the second pass FastAPI
    gives a returned dict (`jsonable_encoder`, a few hundred µs for a page of 20 rows). The same bytes as
    FastAPI's default; data that is not JSON-ready (datetimes, Decimals, models) still goes through
    `jsonable_encoder` first."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except TypeError:
            return super().render(jsonable_encoder(content))


def ok_response(data: Any, *, status_code: int = 200, **meta: Any) -> EnvelopeResponse:
    """`ok(data, **meta)` as a ready response (see EnvelopeResponse). The route decorator's `status_code`
    does not apply to a returned response: pass it here."""
    return EnvelopeResponse(ok(data, **meta), status_code=status_code)


def error_response(status: int, message: str, details: list[dict[str, str]] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if details:
        body["details"] = details
    return JSONResponse(body, status_code=status, headers=headers)


class ApiError(Exception):
    def __init__(self, status: int, message: str, details: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None):
        self.status, self.message, self.details, self.headers = status, message, details, headers


def _field_name(loc: tuple) -> str:
    parts = [p for p in loc[1:]] if loc and loc[0] in ("query", "body", "path", "header", "cookie") else list(loc)
    name = ""
    for p in parts:
        if isinstance(p, int):
            name += f"[{p}]"
        else:
            name += ("." if name else "") + str(p)
    return name or (str(loc[0]) if loc else "request")


def _error_field(err: dict) -> str:
    # An unparseable body is located by character offset (("body", 12)): name the body itself.
    if err.get("type") == "json_invalid":
        return "body"
    return _field_name(tuple(err.get("loc", ())))


def _message(err: dict) -> str:
    if err.get("type") == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"Must be one of: {expected}".replace("'", "")
    if err.get("type") == "json_invalid":
        return "Request body is not valid JSON"
    return err.get("msg", "Invalid value")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            # FastAPI parses a JSON body before it resolves any dependency: authenticate first, so the
            # caller learns it is unauthenticated (401) before anything about its body.
            from voiceconsole.api.deps import authenticate_unvalidated  # deps imports this module

            try:
                await authenticate_unvalidated(request)
            except ApiError as err:
                return error_response(err.status, err.message, err.details, err.headers)
        details = [{"field": _error_field(e), "message": _message(e)} for e in errors]
        return error_response(422, "Validation failed", details)

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return error_response(exc.status_code, exc.message, exc.details)

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.details, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "Error"
        return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        import logging

        logging.getLogger("voiceconsole.api").exception("unhandled error")
        return error_response(500, "Internal server error")
