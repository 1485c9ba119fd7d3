"""Parameter handling shared by the platform routes: integer and enum query/body parameters, opaque
keyset cursors, comparisons turned into half-open time bounds (`Bounds`), call predicates
(`Predicate`) and paging over the call store or small sorted lists.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from itertools import islice
from typing import Any

from voiceconsole.platforms.simulator.server.pipeline import ApiError

Bounds = tuple[int | None, int | None]  # [lo, hi) in the store's unit (epoch ms)
Predicate = Callable[[dict[str, Any]], bool]


def _int(value: Any, name: str, *, default: int, lo: int, hi: int | None = None, status: int = 400) -> int:
    if value is None or value == "":
        return default
    try:
        number = float(value) if isinstance(value, str) else value
        if isinstance(number, bool) or not float(number).is_integer():
            raise ValueError
        number = int(number)
    except (TypeError, ValueError):
        raise ApiError(status, f"{name} must be an integer", code="int_parsing", field=name) from None
    if number < lo or (hi is not None and number > hi):
        limits = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
        raise ApiError(status, f"{name} must be {limits}", code="value_error", field=name)
    return number


def _choice(value: Any, name: str, options: tuple[str, ...], *, status: int = 400) -> str:
    if value is None or value == "":
        return options[0]
    if value not in options:
        raise ApiError(status, f"{name} must be one of {', '.join(options)}", code="enum", field=name)
    return value


def _encode_cursor(position: Any) -> str:
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(
    cursor: Any, name: str, *, status: int = 400, numeric: bool = True, nullable: bool = False
) -> list[Any] | None:
    """A cursor made by `_encode_cursor`: [sort value, id]; the value is a number unless `numeric=False`,
    or null if `nullable` (a position among calls without a sort value)."""
    if cursor is None or cursor == "":
        return None
    try:
        padded = str(cursor) + "=" * (-len(str(cursor)) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded))
        if not (isinstance(position, list) and len(position) == 2 and isinstance(position[1], str)):
            raise ValueError
        if nullable and position[0] is None:
            return position
        if numeric and (isinstance(position[0], bool) or not isinstance(position[0], int)):
            raise ValueError
        return position
    except (ValueError, binascii.Error):
        raise ApiError(status, f"Invalid {name}", code="invalid_cursor", field=name) from None


def _bounds(op: str, value: Fraction) -> Bounds:
    """A comparison on an integer key as a half-open range [lo, hi)."""
    if op == "gt":
        return math.floor(value) + 1, None
    if op == "ge":
        return math.ceil(value), None
    if op == "lt":
        return None, math.ceil(value)
    if op == "le":
        return None, math.floor(value) + 1
    if op == "eq":
        return (int(value), int(value) + 1) if value.denominator == 1 else (0, 0)
    raise ValueError(op)


def _narrow(current: Bounds, more: Bounds) -> Bounds:
    lo = max((b for b in (current[0], more[0]) if b is not None), default=None)
    hi = min((b for b in (current[1], more[1]) if b is not None), default=None)
    return lo, hi


def _field_is(key: str, want: Any) -> Predicate:
    """Calls whose top-level `key` equals `want`."""
    return lambda c: c.get(key) == want


def _page(matches: Iterable[dict[str, Any]], limit: int, skip: int = 0) -> tuple[list[dict[str, Any]], bool]:
    """Up to `limit` matches after `skip`, and whether more follow."""
    page = list(islice(matches, skip, skip + limit + 1))
    return page[:limit], len(page) > limit


def _filtered(calls: Iterable[dict[str, Any]], predicates: list[Predicate]) -> Iterator[dict[str, Any]]:
    return (c for c in calls if all(p(c) for p in predicates))


def _page_sorted(
    entries: list[tuple[Any, str, dict[str, Any]]],
    after: list[Any] | None,
    limit: int,
    descending: bool,
    *,
    status: int = 400,
) -> tuple[list[dict[str, Any]], bool]:
    """Keyset paging over a small list of (sort value, id, object)."""
    ordered = sorted(entries, key=lambda e: (e[0], e[1]), reverse=descending)
    if after is not None:
        mark = (after[0], after[1])
        try:
            ordered = [e for e in ordered if ((e[0], e[1]) < mark if descending else (e[0], e[1]) > mark)]
        except TypeError:  # a cursor made for another sort order
            raise ApiError(status, "Invalid cursor", code="invalid_cursor", field="cursor") from None
    return [e[2] for e in ordered[:limit]], len(ordered) > limit
