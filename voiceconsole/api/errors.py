"""Error bodies of DESIGN.md §5: `{"error": "Message", "details": [{"field": "…", "message": "…"}]}`."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse


def error_response(
    status: int, message: str, details: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if details:
        body["details"] = details
    return JSONResponse(body, status_code=status, headers=headers)


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        details: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ):
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


def error_field(err: dict) -> str:
    # An unparseable body is located by character offset (("body", 12)): name the body itself.
    if err.get("type") == "json_invalid":
        return "body"
    return _field_name(tuple(err.get("loc", ())))


def error_message(err: dict) -> str:
    if err.get("type") == "value_error" and err.get("ctx", {}).get("error"):
        return str(err["ctx"]["error"])  # our own validators' words, without pydantic's "Value error, "
    if err.get("type") == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"Must be one of: {expected}".replace("'", "")
    if err.get("type") == "json_invalid":
        return "Request body is not valid JSON"
    return err.get("msg", "Invalid value")
