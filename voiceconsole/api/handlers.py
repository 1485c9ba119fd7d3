"""How every error becomes the error body of DESIGN.md §5: validation (422 with field details), domain
errors (their status), API errors, HTTP errors, and anything unexpected (500, logged)."""

from __future__ import annotations

import logging

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from voiceconsole.api.body_limit import BodyTooLarge
from voiceconsole.api.deps import authenticate_unvalidated
from voiceconsole.api.errors import ApiError, error_field, error_message, error_response
from voiceconsole.services.errors import DomainError

log = logging.getLogger("voiceconsole.api")
RETRY_AFTER_S = 5  # what a 503 asks clients to wait
# A dependency that does not answer: the database (a refused or lost connection, the pool's timeout) or
# Redis. Answered 503 with Retry-After and logged in one line, not as a 500 with a traceback per request.
_DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout, psycopg.OperationalError)
_REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
UNPARSEABLE_BODY = "There was an error parsing the body"  # FastAPI's 400 when json.loads itself fails


def install_error_handlers(app: FastAPI) -> None:
    async def _unauthenticated(request: Request) -> JSONResponse | None:
        """FastAPI parses a JSON body before it resolves any dependency: authenticate first, so the caller
        learns it is unauthenticated (401, or 403/429) before anything about its body."""
        try:
            await authenticate_unvalidated(request)
        except ApiError as err:
            return error_response(err.status, err.message, err.details, err.headers)
        return None

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors) and (refused := await _unauthenticated(request)):
            return refused
        details = [{"field": error_field(e), "message": error_message(e)} for e in errors]
        return error_response(422, "Validation failed", details)

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return error_response(exc.status_code, exc.message, exc.details, exc.headers)

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.details, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        if isinstance(exc, BodyTooLarge):  # api/body_limit.py, while the body streams in
            return error_response(413, "Request body too large", [{"field": "body", "message": str(exc.detail)}])
        if exc.status_code == 400 and exc.detail == UNPARSEABLE_BODY:
            # A body JSON cannot even decode (invalid UTF-8, nesting deeper than the parser goes): the same
            # answer as any other unreadable body, after authentication.
            return await _unauthenticated(request) or error_response(
                422, "Validation failed", [{"field": "body", "message": "Request body is not valid JSON"}]
            )
        if exc.status_code == 400 and isinstance(exc.detail, str) and "multipart" in exc.detail.lower():
            # An upload (the branding logo) whose form data cannot be parsed: unreadable, like bad JSON.
            return await _unauthenticated(request) or error_response(
                422, "Validation failed", [{"field": "body", "message": "Request body is not valid form data"}]
            )
        message = exc.detail if isinstance(exc.detail, str) else "Error"
        return error_response(exc.status_code, message, headers=headers)

    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        part = "redis" if isinstance(exc, _REDIS_DOWN) else "database"
        cause = getattr(exc, "orig", None) or exc
        log.warning(
            "%s unavailable for %s %s: %s: %s",
            part,
            request.method,
            request.url.path,
            type(cause).__name__,
            str(cause).strip().splitlines()[0][:200] if str(cause).strip() else "",
        )
        details = [{"field": part, "message": "Unreachable; try again shortly"}]
        return error_response(
            503, "Service temporarily unavailable", details, headers={"Retry-After": str(RETRY_AFTER_S)}
        )

    for kind in (*_DATABASE_DOWN, *_REDIS_DOWN):
        app.add_exception_handler(kind, _unavailable)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(500, "Internal server error")
