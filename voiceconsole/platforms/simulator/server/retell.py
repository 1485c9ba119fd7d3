"""The Retell API routes (`/retell`, docs/platform-apis.md section 1): v3 and legacy v2 list-calls with their
filter_criteria, get-call, v2 and legacy list-agents, get-agent and get-retell-llm.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from voiceconsole.platforms.simulator.generator import call_list_item
from voiceconsole.platforms.simulator.server.params import (
    Bounds,
    Predicate,
    _bounds,
    _choice,
    _decode_cursor,
    _encode_cursor,
    _filtered,
    _int,
    _narrow,
    _page,
    _page_sorted,
)
from voiceconsole.platforms.simulator.server.pipeline import ApiError, _Incoming, _PlatformApi
from voiceconsole.platforms.simulator.state import SimulatorState, public

_RETELL_NUMBERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "end_timestamp": lambda c: c.get("end_timestamp"),
    "duration_ms": lambda c: c.get("duration_ms"),
    "combined_cost": lambda c: (c.get("call_cost") or {}).get("combined_cost"),
    "e2e_latency_p50": lambda c: ((c.get("latency") or {}).get("e2e") or {}).get("p50"),
}
_RETELL_ENUMS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "call_status": lambda c: c.get("call_status"),
    "call_type": lambda c: c.get("call_type"),
    "direction": lambda c: c.get("direction"),
    "disconnection_reason": lambda c: c.get("disconnection_reason"),
    "user_sentiment": lambda c: (c.get("call_analysis") or {}).get("user_sentiment"),
    "agent_tag": lambda c: c.get("agent_tag"),
    "data_storage_setting": lambda c: c.get("data_storage_setting"),
}
_RETELL_BOOLEANS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "call_successful": lambda c: (c.get("call_analysis") or {}).get("call_successful"),
    "in_voicemail": lambda c: (c.get("call_analysis") or {}).get("in_voicemail"),
}
_RETELL_STRINGS = ("from_number", "to_number", "batch_call_id", "call_id")
_STRING_OPS: dict[str, Callable[[str, str], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "sw": str.startswith,
    "ew": str.endswith,
    "co": lambda a, b: b in a,
}
_NUMBER_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
}


def _filter_object(name: str, spec: Any) -> tuple[str, Any]:
    if not isinstance(spec, dict) or "op" not in spec or "value" not in spec:
        raise ApiError(400, f"filter_criteria.{name} must be an object with op and value")
    return spec["op"], spec["value"]


def _number(name: str, value: Any) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiError(400, f"filter_criteria.{name} value must be a number")
    return Fraction(value)


def _retell_number_bounds(name: str, spec: Any) -> Bounds:
    op, value = _filter_object(name, spec)
    if op == "bt":
        if not (isinstance(value, list) and len(value) == 2):
            raise ApiError(400, f"filter_criteria.{name} with op bt needs [lo, hi]")
        return _narrow(_bounds("ge", _number(name, value[0])), _bounds("le", _number(name, value[1])))
    if op not in _NUMBER_OPS or op == "ne":
        raise ApiError(400, f"filter_criteria.{name}: unsupported op {op!r}")
    return _bounds(op, _number(name, value))


def _retell_number_predicate(name: str, spec: Any) -> Predicate:
    get = _RETELL_NUMBERS[name]
    op, value = _filter_object(name, spec)
    if op == "ne":
        target = _number(name, value)
        return lambda c: get(c) is not None and get(c) != target
    lo, hi = _retell_number_bounds(name, spec)
    return lambda c: get(c) is not None and (lo is None or get(c) >= lo) and (hi is None or get(c) < hi)


def _retell_enum_predicate(name: str, get: Callable[[dict[str, Any]], Any], spec: Any) -> Predicate:
    op, value = _filter_object(name, spec)
    if op != "in" or not isinstance(value, list):
        raise ApiError(400, f"filter_criteria.{name} must be {{op: 'in', value: [...]}}")
    allowed = set(value)
    return lambda c: get(c) in allowed


def _retell_boolean_predicate(name: str, spec: Any) -> Predicate:
    get = _RETELL_BOOLEANS[name]
    op, value = _filter_object(name, spec)
    if op != "eq" or not isinstance(value, bool):
        raise ApiError(400, f"filter_criteria.{name} must be {{op: 'eq', value: true|false}}")
    return lambda c: get(c) is value


def _retell_string_predicate(name: str, spec: Any) -> Predicate:
    op, value = _filter_object(name, spec)
    if name == "call_id" and op == "in":
        return _retell_enum_predicate(name, lambda c: c.get("call_id"), spec)
    if op not in _STRING_OPS or not isinstance(value, str):
        raise ApiError(400, f"filter_criteria.{name}: unsupported op {op!r} or non-string value")
    test = _STRING_OPS[op]
    return lambda c: isinstance(c.get(name), str) and test(c[name], value)


def _retell_agent_predicate(spec: Any) -> Predicate:
    if not isinstance(spec, list) or not all(isinstance(a, dict) and a.get("agent_id") for a in spec):
        raise ApiError(400, "filter_criteria.agent must be a list of {agent_id, version?}")
    wanted = {a["agent_id"]: set(a.get("version") or ()) for a in spec}

    def matches(call: dict[str, Any]) -> bool:
        versions = wanted.get(call.get("agent_id"))
        return versions is not None and (not versions or call.get("agent_version") in versions)

    return matches


def _start_timestamp_ne(target: Fraction) -> Predicate:
    return lambda c: c.get("start_timestamp") is not None and c["start_timestamp"] != target


def _retell_filters(criteria: Any) -> tuple[Bounds, list[Predicate]]:
    """v3 filter_criteria as start_timestamp bounds (served by the index) plus predicates."""
    if not isinstance(criteria, dict):
        raise ApiError(400, "filter_criteria must be an object")
    window: Bounds = (None, None)
    predicates: list[Predicate] = []
    for name, spec in criteria.items():
        if name == "start_timestamp":
            if _filter_object(name, spec)[0] == "ne":
                predicates.append(_start_timestamp_ne(_number(name, spec["value"])))
            else:
                window = _narrow(window, _retell_number_bounds(name, spec))
        elif name == "agent":
            predicates.append(_retell_agent_predicate(spec))
        elif name in _RETELL_NUMBERS:
            predicates.append(_retell_number_predicate(name, spec))
        elif name in _RETELL_ENUMS:
            predicates.append(_retell_enum_predicate(name, _RETELL_ENUMS[name], spec))
        elif name in _RETELL_BOOLEANS:
            predicates.append(_retell_boolean_predicate(name, spec))
        elif name in _RETELL_STRINGS:
            predicates.append(_retell_string_predicate(name, spec))
        else:
            raise ApiError(400, f"filter_criteria.{name} is not supported by the simulator")
    return window, predicates


_LEGACY_LISTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "agent_id": lambda c: c.get("agent_id"),
    "version": lambda c: c.get("agent_version"),
    "call_status": lambda c: c.get("call_status"),
    "call_type": lambda c: c.get("call_type"),
    "direction": lambda c: c.get("direction"),
    "disconnection_reason": lambda c: c.get("disconnection_reason"),
    "user_sentiment": lambda c: (c.get("call_analysis") or {}).get("user_sentiment"),
    "call_successful": lambda c: (c.get("call_analysis") or {}).get("call_successful"),
    "in_voicemail": lambda c: (c.get("call_analysis") or {}).get("in_voicemail"),
}
_LEGACY_RANGES = {"end_timestamp": "end_timestamp", "duration_ms": "duration_ms"}


def _threshold_bounds(name: str, spec: Any) -> Bounds:
    if not isinstance(spec, dict):
        raise ApiError(400, f"filter_criteria.{name} must be {{lower_threshold, upper_threshold}}")
    window: Bounds = (None, None)
    if spec.get("lower_threshold") is not None:
        window = _narrow(window, _bounds("ge", _number(name, spec["lower_threshold"])))
    if spec.get("upper_threshold") is not None:
        window = _narrow(window, _bounds("le", _number(name, spec["upper_threshold"])))
    return window


def _legacy_range_predicate(key: str, lo: int | None, hi: int | None) -> Predicate:
    return lambda c: c.get(key) is not None and (lo is None or c[key] >= lo) and (hi is None or c[key] < hi)


def _legacy_list_predicate(get: Callable[[dict[str, Any]], Any], allowed: list[Any]) -> Predicate:
    return lambda c: get(c) in allowed


def _legacy_filters(criteria: Any) -> tuple[Bounds, list[Predicate]]:
    """The pre-v3 filter shape: lists of plain values, and {lower,upper}_threshold ranges."""
    if not isinstance(criteria, dict):
        raise ApiError(400, "filter_criteria must be an object")
    window: Bounds = (None, None)
    predicates: list[Predicate] = []
    for name, spec in criteria.items():
        if name == "start_timestamp":
            window = _narrow(window, _threshold_bounds(name, spec))
        elif name in _LEGACY_RANGES:
            predicates.append(_legacy_range_predicate(_LEGACY_RANGES[name], *_threshold_bounds(name, spec)))
        elif name in _LEGACY_LISTS:
            if not isinstance(spec, list):
                raise ApiError(400, f"filter_criteria.{name} must be a list")
            predicates.append(_legacy_list_predicate(_LEGACY_LISTS[name], spec))
        else:
            raise ApiError(400, f"filter_criteria.{name} is not supported by the simulator")
    return window, predicates


def _lists_untimed(criteria: Any) -> bool:
    """Calls without a start_timestamp (dials that never connected) are listed, last in either order,
    unless start_timestamp is filtered on: like NULLs they satisfy no comparison."""
    return not (isinstance(criteria, dict) and "start_timestamp" in criteria)


def _retell_agent_summary(agent: dict[str, Any]) -> dict[str, Any]:
    return {
        "agent_id": agent["agent_id"],
        "agent_name": agent.get("agent_name"),
        "channel": "voice",
        "is_suspended": False,
        "tags": {},
        "user_modified_timestamp": agent["last_modification_timestamp"],
    }


def _retell_routes(api: _PlatformApi, state: SimulatorState) -> None:
    def calls():
        return state.data("retell").calls

    @api.route("POST", "/v3/list-calls")
    def list_calls(req: _Incoming) -> Any:
        body = req.body()
        limit = _int(body.get("limit"), "limit", default=50, lo=1, hi=1000)
        skip = _int(body.get("skip"), "skip", default=0, lo=0)
        descending = _choice(body.get("sort_order"), "sort_order", ("descending", "ascending")) == "descending"
        criteria = body.get("filter_criteria") or {}
        window, predicates = _retell_filters(criteria)
        untimed = _lists_untimed(criteria)
        after = _decode_cursor(body.get("pagination_key"), "pagination_key", nullable=True)
        store = calls()
        start, end = store.window(*window)
        position = (after[0], after[1]) if after else None
        walk = store.walk(start, end, descending=descending, after=position, untimed=untimed)
        page, has_more = _page(_filtered(walk, predicates), limit, skip)
        last = page[-1] if page else {}
        result: dict[str, Any] = {
            "items": [call_list_item("retell", c) for c in page],
            "has_more": has_more,
            "pagination_key": _encode_cursor([last.get("start_timestamp"), last["call_id"]]) if has_more else None,
        }
        if body.get("include_total"):
            everything = store.walk(start, end, descending=False, untimed=untimed)
            result["total"] = sum(1 for _ in _filtered(everything, predicates))
        return result

    @api.route("POST", "/v2/list-calls")
    def list_calls_legacy(req: _Incoming) -> Any:
        body = req.body()
        limit = _int(body.get("limit"), "limit", default=50, lo=1, hi=1000)
        descending = _choice(body.get("sort_order"), "sort_order", ("descending", "ascending")) == "descending"
        criteria = body.get("filter_criteria") or {}
        window, predicates = _legacy_filters(criteria)
        store, after = calls(), None
        if body.get("pagination_key"):
            last = store.get(str(body["pagination_key"]))
            if last is None:
                raise ApiError(400, "pagination_key does not match a call")
            after = (last.get("start_timestamp"), last["call_id"])
        start, end = store.window(*window)
        walk = store.walk(start, end, descending=descending, after=after, untimed=_lists_untimed(criteria))
        page, _ = _page(_filtered(walk, predicates), limit)
        return page

    @api.route("GET", "/v2/get-call/{call_id}")
    def get_call(req: _Incoming) -> Any:
        call = calls().get(req.params["call_id"])
        if call is None:
            raise ApiError(404, "Call not found")
        return call

    @api.route("POST", "/v2/list-agents")
    def list_agents(req: _Incoming) -> Any:
        criteria = req.body().get("filter_criteria") or {}
        limit = _int(req.query.get("limit"), "limit", default=50, lo=1, hi=1000)
        descending = _choice(req.query.get("sort_order"), "sort_order", ("descending", "ascending")) == "descending"
        after = _decode_cursor(req.query.get("pagination_key"), "pagination_key")
        agents = [a for a in state.data("retell").agents.values() if _retell_agent_matches(a, criteria)]
        entries = [(a["last_modification_timestamp"], a["agent_id"], a) for a in agents]
        page, has_more = _page_sorted(entries, after, limit, descending)
        last = page[-1] if page else None
        return {
            "items": [_retell_agent_summary(a) for a in page],
            "has_more": has_more,
            "pagination_key": _encode_cursor([last["last_modification_timestamp"], last["agent_id"]])
            if has_more and last
            else None,
        }

    @api.route("GET", "/list-agents")
    def list_agents_legacy(req: _Incoming) -> Any:
        limit = _int(req.query.get("limit"), "limit", default=1000, lo=1, hi=1000)
        after = req.query.get("pagination_key")
        agents = sorted(state.data("retell").agents.values(), key=lambda a: a["agent_id"])
        return [public(a) for a in agents if not after or a["agent_id"] > after][:limit]

    @api.route("GET", "/get-agent/{agent_id}")
    def get_agent(req: _Incoming) -> Any:
        agent = state.data("retell").agents.get(req.params["agent_id"])
        if agent is None:
            raise ApiError(404, "Agent not found")
        version = _int(req.query.get("version"), "version", default=agent["version"], lo=0)
        written = state.builder.retell_agents.get(agent["agent_id"])
        if written is not None:  # written through the API (builder_retell.py): every version is kept
            if version not in written:
                raise ApiError(404, "Agent version not found")
            return written[version]
        if version > agent["version"]:
            raise ApiError(404, "Agent version not found")
        found = public(agent)
        if version != agent["version"]:  # an older version: same settings, not the published one
            found.update(version=version, is_published=False)
        return found

    @api.route("GET", "/get-retell-llm/{llm_id}")
    def get_llm(req: _Incoming) -> Any:
        version = req.query.get("version")
        wanted = None if version is None else _int(version, "version", default=0, lo=0)
        llm = state.retell_llm(req.params["llm_id"], wanted)
        if llm is None:
            raise ApiError(404, "Retell LLM not found")
        return llm


def _retell_agent_matches(agent: dict[str, Any], criteria: Any) -> bool:
    if not isinstance(criteria, dict):
        raise ApiError(400, "filter_criteria must be an object")
    channel = criteria.get("channel")
    if channel is not None:
        op, value = _filter_object("channel", channel)
        if op not in _STRING_OPS or not _STRING_OPS[op]("voice", str(value)):
            return False
    query = criteria.get("query")
    if query:
        text = str(query).lower()
        return text in (agent.get("agent_name") or "").lower() or text in agent["agent_id"]
    return True
