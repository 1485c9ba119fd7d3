"""Query parameters shared by list endpoints (camelCase on the wire)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BeforeValidator

from voiceconsole.api.errors import ApiError

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


@dataclass
class Paging:
    page: int
    per_page: int
    sort_order: str = "desc"


PageParam = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1")]
PerPageParam = Annotated[int, Query(alias="perPage", ge=1, le=100, description="Items per page (max 100)")]


async def paging(
    page: PageParam = 1,
    per_page: PerPageParam = 20,
    sort_order: Annotated[Literal["asc", "desc"], Query(alias="sortOrder")] = "desc",
) -> Paging:
    return Paging(page=page, per_page=per_page, sort_order=sort_order)


async def page_only(page: PageParam = 1, per_page: PerPageParam = 20) -> Paging:
    """Paging of a list with one fixed order (clients by name, channels oldest first): no sortOrder."""
    return Paging(page=page, per_page=per_page)


def _iso_only(value: Any) -> Any:
    """A bare number is not a date here (pydantic would read "0.5" as seconds since 1970)."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value.strip())):
        raise ValueError("Must be an ISO 8601 date or date-time, e.g. 2026-11-01 or 2026-11-01T00:00:00Z")
    return value


# An ISO 8601 date or date-time query parameter; UTC when it names no zone (see `as_utc`).
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]


def as_utc(value: datetime | None, field: str) -> datetime | None:
    """ISO 8601 without a zone is taken as UTC, as the API documents. A moment that has no UTC equivalent
    (9999-12-31T23:59:59-12:00 is past the last representable instant) is a 422 naming `field`."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise ApiError(422, "Validation failed", [{"field": field, "message": "Date is out of range"}]) from None


def check_range(date_from: datetime | None, date_to: datetime | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise ApiError(
            422, "Validation failed", [{"field": "dateFrom", "message": "dateFrom must not be after dateTo"}]
        )
