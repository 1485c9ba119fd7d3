"""What the OpenAPI document says about errors: the one error body, and the statuses every endpoint may
answer (each described once), so that clients and schema-driven tools know what to expect."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    field: str = Field(examples=["perPage"])
    message: str = Field(examples=["Input should be less than or equal to 100"])


class ErrorBody(BaseModel):
    """Every error: a message for people, and the fields at fault where there are some."""

    error: str = Field(examples=["Validation failed"])
    details: list[ErrorDetail] = Field(default_factory=list)


DESCRIPTIONS = {
    400: "The body could not be read (platform webhooks)",
    401: "No valid API key or session (or a webhook signature that does not match)",
    403: "Your role does not allow this, or a cookie-authenticated write from another origin",
    404: "No such resource in your organization",
    409: "Conflicts with the current state (e.g. already connected, replayed webhook)",
    413: "Request body too large (1 MiB; platform webhooks 5 MiB)",
    422: "Invalid input: `details` names each field and what is wrong with it",
    429: "Rate limit reached: wait `Retry-After` seconds",
    503: "The database or Redis is unavailable: retry after `Retry-After` seconds",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody, "description": DESCRIPTIONS[code]} for code in codes}


# Every endpoint of the API may answer these.
COMMON_ERRORS = error_responses(401, 403, 404, 409, 413, 422, 429, 503)
