"""What every request's text must be before anything uses it: storable (services/text.py: no NUL
character, no unpaired surrogate). Anything else is a 422 naming the field, never a 500.

Bodies: request models derive from `RequestBody` (or `CamelBody`), which checks every string they
hold. Query and path parameters: `check_text_params`, run right after authentication (so an
unauthenticated caller still learns first that it is unauthenticated), or by public routes themselves.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, field_validator
from pydantic.alias_generators import to_camel

from voiceconsole.api.errors import ApiError
from voiceconsole.services.text import NUL, text_problem


def check_storable(value: Any) -> Any:
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise ValueError(problem)
    elif isinstance(value, list | tuple | set):
        for item in value:
            check_storable(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_storable(key)
            check_storable(item)
    return value


class RequestBody(BaseModel):
    """A JSON request body whose strings (at any depth) are storable text."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        return check_storable(value)


class CamelBody(RequestBody):
    """A request body with camelCase field names on the wire (snake_case in Python)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


def check_text_params(request: Request) -> None:
    """422 when a path or query parameter holds a NUL character (query strings are percent-decoded with
    replacement, so they cannot hold a lone surrogate)."""
    details = [
        {"field": name, "message": "Must not contain NUL characters"}
        for name, value in (*request.path_params.items(), *request.query_params.multi_items())
        if isinstance(value, str) and NUL in value
    ]
    if details:
        raise ApiError(422, "Validation failed", details)
