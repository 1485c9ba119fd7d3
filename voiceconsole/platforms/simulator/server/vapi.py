"""The Vapi API routes (`/vapi`, docs/platform-apis.md section 2): calls, assistants and phone numbers,
listed newest first with Vapi's createdAt/updatedAt filters and its strict query validation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from starlette.datastructures import QueryParams

from voiceconsole.platforms.simulator.server.params import (
    Bounds,
    Predicate,
    _bounds,
    _field_is,
    _filtered,
    _int,
    _narrow,
    _page,
)
from voiceconsole.platforms.simulator.server.pipeline import ApiError, _Incoming, _PlatformApi
from voiceconsole.platforms.simulator.state import SimulatorState, iso_to_ms, public

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_VAPI_OPS = {"Gt": "gt", "Ge": "ge", "Lt": "lt", "Le": "le"}
_VAPI_TIME_PARAMS = tuple(f"{field}{suffix}" for field in ("createdAt", "updatedAt") for suffix in _VAPI_OPS)


def _vapi_query(req: _Incoming, allowed: tuple[str, ...]) -> QueryParams:
    for name in req.query:
        if name not in allowed:
            raise ApiError(400, f"property {name} should not exist")
    return req.query


def _vapi_time_bounds(query: QueryParams, field: str) -> Bounds:
    window: Bounds = (None, None)
    for suffix, op in _VAPI_OPS.items():
        text = query.get(field + suffix)
        if text is None:
            continue
        try:
            micros = _iso_to_micros(text)
        except ValueError:
            raise ApiError(400, f"{field + suffix} must be a valid ISO 8601 date string") from None
        window = _narrow(window, _bounds(op, Fraction(micros, 1000)))
    return window


def _iso_to_micros(text: str) -> int:
    """Exact epoch microseconds (clients may send sub-millisecond precision)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _in_window(value_ms: int | None, window: Bounds) -> bool:
    lo, hi = window
    return value_ms is not None and (lo is None or value_ms >= lo) and (hi is None or value_ms < hi)


def _vapi_list(objects: Iterable[dict[str, Any]], query: QueryParams) -> list[dict[str, Any]]:
    """Assistants or phone numbers: created/updated filters, newest first, `limit`."""
    limit = _int(query.get("limit"), "limit", default=100, lo=0, hi=1000)
    created, updated = _vapi_time_bounds(query, "createdAt"), _vapi_time_bounds(query, "updatedAt")
    chosen = [
        o
        for o in objects
        if _in_window(iso_to_ms(o["createdAt"]), created) and _in_window(iso_to_ms(o["updatedAt"]), updated)
    ]
    chosen.sort(key=lambda o: (iso_to_ms(o["createdAt"]), o["id"]), reverse=True)
    return chosen[:limit]


def _vapi_routes(api: _PlatformApi, state: SimulatorState) -> None:
    @api.route("GET", "/call")
    def list_calls(req: _Incoming) -> Any:
        query = _vapi_query(req, ("id", "assistantId", "phoneNumberId", "limit", *_VAPI_TIME_PARAMS))
        limit = _int(query.get("limit"), "limit", default=100, lo=0, hi=1000)
        updated = _vapi_time_bounds(query, "updatedAt")
        predicates: list[Predicate] = [
            _field_is(key, query[param])
            for param, key in (("id", "id"), ("assistantId", "assistantId"), ("phoneNumberId", "phoneNumberId"))
            if query.get(param)
        ]
        if updated != (None, None):
            predicates.append(lambda c: _in_window(iso_to_ms(c["updatedAt"]), updated))
        store = state.data("vapi").calls
        start, end = store.window(*_vapi_time_bounds(query, "createdAt"))
        return _page(_filtered(store.walk(start, end, descending=True), predicates), limit)[0]

    @api.route("GET", "/call/{call_id}")
    def get_call(req: _Incoming) -> Any:
        call = state.data("vapi").calls.get(req.params["call_id"])
        if call is None:
            raise ApiError(404, "Couldn't Get Call. Call Not Found")
        return call

    @api.route("GET", "/assistant")
    def list_assistants(req: _Incoming) -> Any:
        query = _vapi_query(req, ("limit", *_VAPI_TIME_PARAMS))
        return [public(a) for a in _vapi_list(state.data("vapi").agents.values(), query)]

    @api.route("GET", "/assistant/{assistant_id}")
    def get_assistant(req: _Incoming) -> Any:
        assistant = state.data("vapi").agents.get(req.params["assistant_id"])
        if assistant is None:
            raise ApiError(404, "Couldn't Get Assistant. Assistant Not Found")
        return public(assistant)

    @api.route("GET", "/phone-number")
    def list_phone_numbers(req: _Incoming) -> Any:
        query = _vapi_query(req, ("limit", *_VAPI_TIME_PARAMS))
        return _vapi_list(state.vapi_phone_numbers(), query)

    @api.route("GET", "/phone-number/{phone_number_id}")
    def get_phone_number(req: _Incoming) -> Any:
        wanted = req.params["phone_number_id"]
        for number in state.vapi_phone_numbers():
            if number["id"] == wanted:
                return number
        raise ApiError(404, "Couldn't Get Phone Number. Phone Number Not Found")
