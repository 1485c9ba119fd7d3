"""How every error becomes the error body of DESIGN.md §5: validation (422 with field details), domain
errors (their status), API errors, HTTP errors, and anything unexpected (500, logged)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from voiceconsole.api.deps import authenticate_unvalidated
from voiceconsole.api.errors import ApiError, error_field, error_message, error_response
from voiceconsole.services.errors import DomainError

log = logging.getLogger("voiceconsole.api")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            # FastAPI parses a JSON body before it resolves any dependency: authenticate first, so the
            # caller learns it is unauthenticated (401) before anything about its body.
            try:
                await authenticate_unvalidated(request)
            except ApiError as err:
                return error_response(err.status, err.message, err.details, err.headers)
        details = [{"field": error_field(e), "message": error_message(e)} for e in errors]
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
        log.exception("unhandled error")
        return error_response(500, "Internal server error")
