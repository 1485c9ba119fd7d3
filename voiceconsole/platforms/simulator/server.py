"""The platform simulator: one HTTP server speaking the Retell, Vapi and ElevenLabs APIs.

Endpoints, parameters, response shapes and auth follow /work/shared/platform-apis.md, so the
platforms' own SDKs (retell-sdk, vapi-server-sdk, elevenlabs) work against it unchanged, and so
does a connector written against the real APIs. Data comes from the demo generator
(`generator.py`): realistic agents and calls, deterministic for a seed.

Starting it
-----------
In-process (tests, benchmarks)::

    from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
    from voiceconsole.platforms.simulator.state import SimulatorState

    state = SimulatorState(seed=7, agents_per_platform=12, calls_per_platform=2000, days=90)
    base_url, stop = serve_in_thread(create_app(state))   # free port on 127.0.0.1
    ...                                                    # e.g. base_url + "/retell"
    stop()

`calls_per_platform` may be a mapping, e.g. `{"vapi": 100_000}` (platforms left out get no calls).
Generation is lazy per platform (100,000 calls take roughly 3-20 s and 0.3-1.2 GB depending on the
platform; `state.warm()` generates everything up front). `now=datetime(...)` pins the end of the
generated history; otherwise it is the wall clock at construction.

From the command line: `voiceconsole simulator --port 8900` (or
`python -m voiceconsole.platforms.simulator.cli --port 8900 --calls 5000`), which prints the base
URLs and keys.

Base URLs and keys (defaults; `SimulatorState(api_keys={...})` changes them)
--------------------------------------------------------------------------
- Retell      `http://HOST:PORT/retell`      `Authorization: Bearer sim_retell_key`
- Vapi        `http://HOST:PORT/vapi`        `Authorization: Bearer sim_vapi_key`
- ElevenLabs  `http://HOST:PORT/elevenlabs`  `xi-api-key: sim_elevenlabs_key`

SDKs: `retell.Retell(api_key=..., base_url=f"{url}/retell")`,
`vapi.Vapi(token=..., base_url=f"{url}/vapi")`,
`elevenlabs.ElevenLabs(api_key=..., base_url=f"{url}/elevenlabs")`.

Endpoints
---------
Retell (`/retell`):
- `POST /v3/list-calls` body `{limit (default 50, max 1000), pagination_key, sort_order
  ("descending" default | "ascending", by start_timestamp), skip, include_total, filter_criteria}` ->
  `{items, has_more, pagination_key, total?}`. Items have no transcript fields. `pagination_key` is
  opaque (a keyset position: stable while calls are added) and null on the last page.
  filter_criteria: `agent: [{agent_id, version?: [int]}]`; numbers `start_timestamp`,
  `end_timestamp`, `duration_ms`, `combined_cost`, `e2e_latency_p50` with op gt|ge|lt|le|eq|ne or
  `{"op": "bt", "value": [lo, hi]}` (inclusive); enums (`op: "in"`) `call_status`, `call_type`,
  `direction`, `disconnection_reason`, `user_sentiment`, `agent_tag`, `data_storage_setting`;
  booleans `call_successful`, `in_voicemail`; strings (eq|ne|sw|ew|co; call_id also `in`)
  `from_number`, `to_number`, `batch_call_id`, `call_id`. Other fields answer 400.
- `POST /v2/list-calls` (legacy): bare array of full calls; `pagination_key` = last call_id
  (exclusive); old filter shape (`agent_id: [..]`, `call_status: [..]`, `version: [..]`,
  `start_timestamp: {lower_threshold, upper_threshold}` inclusive, ...).
- `GET /v2/get-call/{call_id}` full call with transcript.
- `POST /v2/list-agents` query `limit` (default 50, max 1000), `pagination_key`, `sort_order`
  (by user_modified_timestamp, default descending); body `filter_criteria {channel, query}` ->
  `{items: [{agent_id, agent_name, channel, is_suspended, tags, user_modified_timestamp}], has_more,
  pagination_key}`.
- `GET /list-agents` (legacy, full agents by agent_id ascending; `limit` default 1000,
  `pagination_key` = last agent_id; one entry per agent, the latest version),
  `GET /get-agent/{agent_id}[?version=N]`, `GET /get-retell-llm/{llm_id}`.

Vapi (`/vapi`), all lists are bare arrays, newest `createdAt` first:
- `GET /call` query `limit` (default 100, 0-1000), `id`, `assistantId`, `phoneNumberId`,
  `createdAtGt|Ge|Lt|Le`, `updatedAtGt|Ge|Lt|Le` (ISO-8601). No cursor: page with
  `createdAtLt=<oldest createdAt seen>`. Unknown query parameters answer 400, like Vapi's
  validation.
- `GET /call/{id}`, `GET /assistant` (+ `/assistant/{id}`), `GET /phone-number`
  (+ `/phone-number/{id}`; one Twilio number per assistant, matching the calls' `phoneNumberId`).

ElevenLabs (`/elevenlabs`):
- `GET /v1/convai/agents` query `page_size` (default 30, max 100), `cursor`, `search`, `archived`,
  `sort_by` (created_at default | name), `sort_direction` (desc default | asc) ->
  `{agents: [summary], next_cursor, has_more}`.
- `GET /v1/convai/agents/{agent_id}`.
- `GET /v1/convai/conversations` query `cursor`, `page_size` (default 30, max 100), `agent_id`,
  `call_start_after_unix` (exclusive), `call_start_before_unix` (exclusive), `call_successful`,
  `call_duration_min_secs`, `call_duration_max_secs`, `summary_mode` (exclude default | include:
  adds `transcript_summary`), `sort_direction` (desc default, by start time) ->
  `{conversations: [summary], next_cursor, has_more}`.
- `GET /v1/convai/conversations/{id}` full conversation; `.../{id}/audio` a few bytes of audio/mpeg
  when `has_audio`.

Errors: 401 on a missing or wrong key, 404 for an unknown id or path, 400 (Retell, Vapi) or 422
(ElevenLabs) on bad parameters. Bodies: Retell `{"status": "error", "message": ...}`; Vapi
`{"message": ..., "error": "<reason>", "statusCode": N}` (a list of messages on 400); ElevenLabs
`{"detail": {"status": "<code>", "message": ...}}` and, on 422, `{"detail": [{"loc", "msg", "type"}]}`.

Incremental sync: calls added later (`add_calls`) start after every existing call, so a query with
`start_timestamp` gt / `createdAtGt` / `call_start_after_unix` set to the newest call seen finds
them; a later analysis (`update_analysis`) bumps Vapi's `updatedAt` (find it with `updatedAtGt`).

Fault injection and control
---------------------------
Python (on the `SimulatorState`) and HTTP (`/_sim/...`, no auth, JSON bodies) do the same things:

- `state.fail_next(platform, count=1, status=429, retry_after=None, path_prefix=None)` /
  `POST /_sim/faults {"platform", "count", "status", "retryAfter", "pathPrefix"}`: the next `count`
  requests to the platform (whose path, relative to the platform base, starts with `pathPrefix`,
  e.g. "/v3/list-calls") answer `status` (429, 500, 502 or 503). 429 carries `Retry-After: <s>`
  (default 1; fractions round up); 5xx carry it only when given. 502 answers with an HTML body, as a
  load balancer would. Faults are checked before auth. `state.clear_faults()` /
  `DELETE /_sim/faults[?platform=]`.
- `state.invalidate_key(platform)` / `state.restore_key(platform)` /
  `POST /_sim/keys {"platform", "valid": false|true}`: every request answers 401 while invalid.
- `state.add_calls(platform, count=1, agent_id=None, analyzed=True)` /
  `POST /_sim/calls {"platform", "count", "agentId", "analyzed"}` -> the new native calls.
  `analyzed: false` holds the analysis back (Retell no `call_analysis`, Vapi no `analysis`,
  ElevenLabs status "processing") until:
- `state.update_analysis(platform, call_id, analysis=None)` /
  `POST /_sim/analysis {"platform", "callId", "analysis"?}` -> the updated call.
- `state.remove_agent(platform, agent_id)` / `DELETE /_sim/agents/{platform}/{agent_id}`: the agent
  disappears from lists and get-agent answers 404; its calls stay.
- `state.reset()` / `POST /_sim/reset`: fresh data, valid keys, no faults.
- `GET /_sim/state`: keys, counts and pending faults. `GET /_sim/requests[?platform=]` /
  `state.request_log(platform=None)`: recent requests (at, platform, method, path relative to the
  platform base, query, status), e.g. to check a client's backoff timing.
- `POST /_sim/inbox/{box}`, `GET /_sim/inbox`: a receiver for VoiceConsole's notifications (see inbox.py).
- `POST /_sim/webhook {"platform", "url", "secret"?, "event"? | "events"?, "callId"? | "new": true,
  "agentId"?, "vapiAuth"?}`: posts the platform's signed webhook for a stored call, or for a new
  call it adds first (then the call is also visible through the API). Retell signs with its API key
  unless `secret` is given. Returns `{"callId", "deliveries": [{"event", "status"}]}`. The bodies
  and signatures are in `webhooks.py`.

Choices the sources leave open (platform-apis.md marks them UNCERTAIN), made here as documented
above: Retell's error body and list-agents default limit; Vapi's sort order (newest first) and the
unit of its HMAC timestamp (ms); ElevenLabs' time bounds (exclusive) and summary_mode default
(exclude). Not simulated: older Retell agent versions (one version per agent), Vapi's paginated
`/v2/call`, ElevenLabs filters other than those listed, and any write endpoint.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from http import HTTPStatus
from itertools import islice
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from starlette.datastructures import QueryParams
from starlette.responses import Response

from voiceconsole.platforms.simulator.generator import PLATFORMS, call_list_item
from voiceconsole.platforms.simulator.inbox import Inbox, inbox_routes
from voiceconsole.platforms.simulator.state import (
    SimulatorState,
    call_agent_id,
    call_id_of,
    call_time_ms,
    iso_to_ms,
    public,
)
from voiceconsole.platforms.simulator.webhooks import (
    DEFAULT_EVENTS,
    EVENTS,
    send_webhook_async,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
Bounds = tuple[int | None, int | None]  # [lo, hi) in the store's unit (epoch ms)
Predicate = Callable[[dict[str, Any]], bool]

# --------------------------------------------------------------------------------------------------
# App and the per-platform request pipeline
# --------------------------------------------------------------------------------------------------


def create_app(state: SimulatorState) -> FastAPI:
    """The simulator as an ASGI app serving `state` (see the module docstring)."""
    app = FastAPI(title="VoiceConsole platform simulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.simulator = state
    for platform, register in (("retell", _retell_routes), ("vapi", _vapi_routes),
                               ("elevenlabs", _elevenlabs_routes)):
        api = _PlatformApi(platform, state)
        register(api, state)
        api.finish()
        app.include_router(api.router)
    app.include_router(_control_routes(state))
    app.state.inbox = Inbox()
    app.include_router(inbox_routes(app.state.inbox))  # the demo's notification channels post here
    return app


class ApiError(Exception):
    """An error answer in the platform's own shape."""

    def __init__(self, status: int, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.field = status, message, code, field


class _Incoming:
    """What a handler needs from a request: path params, query and the parsed JSON body."""

    def __init__(self, request: Request, raw_body: bytes) -> None:
        self.params = request.path_params
        self.query: QueryParams = request.query_params
        self._raw = raw_body

    def body(self) -> dict[str, Any]:
        if not self._raw.strip():
            return {}
        try:
            parsed = json.loads(self._raw)
        except ValueError as exc:
            raise ApiError(400, "Invalid JSON body") from exc
        if not isinstance(parsed, dict):
            raise ApiError(400, "The JSON body must be an object")
        return parsed


Handler = Callable[[_Incoming], Response | Any]


class _PlatformApi:
    """One platform's router. Every request goes through faults, auth and the request log."""

    def __init__(self, platform: str, state: SimulatorState) -> None:
        self.platform, self.state = platform, state
        self.prefix = f"/{platform}"
        self.router = APIRouter(prefix=self.prefix)

    def route(self, method: str, path: str, *more_methods: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            async def endpoint(request: Request) -> Response:
                return await self._handle(request, handler)

            self.router.add_api_route(path, endpoint, methods=[method, *more_methods], include_in_schema=False)
            return handler

        return register

    def finish(self) -> None:
        """Unknown paths under the platform still need a key, then answer 404."""

        def not_found(_: _Incoming) -> Response:
            raise ApiError(404, "Not found")

        self.route("GET", "/{rest:path}", "POST", "PUT", "PATCH", "DELETE")(not_found)

    async def _handle(self, request: Request, handler: Handler) -> Response:
        path = request.url.path[len(self.prefix):] or "/"
        raw_body = await request.body()
        fault = self.state.take_fault(self.platform, path)
        if fault is not None:
            response = _fault_response(self.platform, fault.status, fault.retry_after)
        elif not self.state.key_accepted(self.platform, _presented_key(self.platform, request)):
            response = _error(self.platform, ApiError(401, _UNAUTHORIZED[self.platform], code="invalid_api_key"))
        else:
            try:
                with self.state.lock:  # test threads may change the data meanwhile
                    result = handler(_Incoming(request, raw_body))
                response = result if isinstance(result, Response) else _json(result)
            except ApiError as exc:
                response = _error(self.platform, exc)
        self.state.record(self.platform, request.method, path, request.url.query, response.status_code)
        return response


_UNAUTHORIZED = {
    "retell": "API key is missing or invalid.",
    "vapi": "Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.",
    "elevenlabs": "Invalid API key",
}


def _presented_key(platform: str, request: Request) -> str | None:
    if platform == "elevenlabs":
        return request.headers.get("xi-api-key")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # Serialised by hand: FastAPI's encoder is far slower on pages of large nested calls.
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def _error(platform: str, exc: ApiError, headers: dict[str, str] | None = None) -> Response:
    phrase = HTTPStatus(exc.status).phrase
    if platform == "retell":
        body: Any = {"status": "error", "message": exc.message}
    elif platform == "vapi":
        # NestJS shape; validation failures (400) list their messages.
        body = {"message": [exc.message] if exc.status == 400 else exc.message, "error": phrase,
                "statusCode": exc.status}
    elif exc.status == 422:
        body = {"detail": [{"loc": ["query", exc.field or ""], "msg": exc.message, "type": exc.code or "value_error"}]}
    else:
        code = exc.code or phrase.lower().replace(" ", "_")
        body = {"detail": {"status": code, "message": exc.message}}
    return _json(body, exc.status, headers)


_FAULT_MESSAGES = {
    429: "Too many requests, please slow down.",
    500: "Internal server error",
    503: "Service temporarily unavailable",
}


def _fault_response(platform: str, status: int, retry_after: float | None) -> Response:
    headers = {"Retry-After": str(math.ceil(retry_after))} if retry_after is not None else None
    if status == 502:  # what a load balancer in front of the API sends: HTML, not JSON
        html = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
        return Response(html, status_code=502, headers=headers, media_type="text/html")
    code = "rate_limit_exceeded" if status == 429 else None
    return _error(platform, ApiError(status, _FAULT_MESSAGES.get(status, HTTPStatus(status).phrase), code=code),
                  headers)


# --------------------------------------------------------------------------------------------------
# Shared parameter handling: integers, cursors, time bounds, paging
# --------------------------------------------------------------------------------------------------


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


def _decode_cursor(cursor: Any, name: str, *, status: int = 400, numeric: bool = True) -> list[Any] | None:
    """A cursor made by `_encode_cursor`: [sort value, id]; the value is a number unless `numeric=False`."""
    if cursor is None or cursor == "":
        return None
    try:
        padded = str(cursor) + "=" * (-len(str(cursor)) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded))
        if not (isinstance(position, list) and len(position) == 2 and isinstance(position[1], str)):
            raise ValueError
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


def _page(matches: Iterable[dict[str, Any]], limit: int, skip: int = 0) -> tuple[list[dict[str, Any]], bool]:
    """Up to `limit` matches after `skip`, and whether more follow."""
    page = list(islice(matches, skip, skip + limit + 1))
    return page[:limit], len(page) > limit


def _filtered(calls: Iterable[dict[str, Any]], predicates: list[Predicate]) -> Iterator[dict[str, Any]]:
    return (c for c in calls if all(p(c) for p in predicates))


def _page_sorted(entries: list[tuple[Any, str, dict[str, Any]]], after: list[Any] | None, limit: int,
                 descending: bool, *, status: int = 400) -> tuple[list[dict[str, Any]], bool]:
    """Keyset paging over a small list of (sort value, id, object)."""
    ordered = sorted(entries, key=lambda e: (e[0], e[1]), reverse=descending)
    if after is not None:
        mark = (after[0], after[1])
        try:
            ordered = [e for e in ordered if ((e[0], e[1]) < mark if descending else (e[0], e[1]) > mark)]
        except TypeError:  # a cursor made for another sort order
            raise ApiError(status, "Invalid cursor", code="invalid_cursor", field="cursor") from None
    return [e[2] for e in ordered[:limit]], len(ordered) > limit


# --------------------------------------------------------------------------------------------------
# Retell
# --------------------------------------------------------------------------------------------------

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
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "sw": str.startswith, "ew": str.endswith,
    "co": lambda a, b: b in a,
}
_NUMBER_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
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


def _retell_filters(criteria: Any) -> tuple[Bounds, list[Predicate]]:
    """v3 filter_criteria as start_timestamp bounds (served by the index) plus predicates."""
    if not isinstance(criteria, dict):
        raise ApiError(400, "filter_criteria must be an object")
    window: Bounds = (None, None)
    predicates: list[Predicate] = []
    for name, spec in criteria.items():
        if name == "start_timestamp":
            if _filter_object(name, spec)[0] == "ne":
                target = _number(name, spec["value"])
                predicates.append(lambda c, t=target: c["start_timestamp"] != t)
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
            lo, hi = _threshold_bounds(name, spec)
            key = _LEGACY_RANGES[name]
            predicates.append(lambda c, k=key, lo=lo, hi=hi: c.get(k) is not None
                              and (lo is None or c[k] >= lo) and (hi is None or c[k] < hi))
        elif name in _LEGACY_LISTS:
            if not isinstance(spec, list):
                raise ApiError(400, f"filter_criteria.{name} must be a list")
            predicates.append(lambda c, get=_LEGACY_LISTS[name], allowed=spec: get(c) in allowed)
        else:
            raise ApiError(400, f"filter_criteria.{name} is not supported by the simulator")
    return window, predicates


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
        window, predicates = _retell_filters(body.get("filter_criteria") or {})
        after = _decode_cursor(body.get("pagination_key"), "pagination_key")
        store = calls()
        start, end = store.window(*window)
        walk = store.walk(start, end, descending=descending, after=tuple(after) if after else None)
        page, has_more = _page(_filtered(walk, predicates), limit, skip)
        result: dict[str, Any] = {
            "items": [call_list_item("retell", c) for c in page],
            "has_more": has_more,
            "pagination_key": _encode_cursor([page[-1]["start_timestamp"], page[-1]["call_id"]]) if has_more else None,
        }
        if body.get("include_total"):
            result["total"] = sum(1 for _ in _filtered(store.walk(start, end, descending=False), predicates))
        return result

    @api.route("POST", "/v2/list-calls")
    def list_calls_legacy(req: _Incoming) -> Any:
        body = req.body()
        limit = _int(body.get("limit"), "limit", default=50, lo=1, hi=1000)
        descending = _choice(body.get("sort_order"), "sort_order", ("descending", "ascending")) == "descending"
        window, predicates = _legacy_filters(body.get("filter_criteria") or {})
        store, after = calls(), None
        if body.get("pagination_key"):
            last = store.get(str(body["pagination_key"]))
            if last is None:
                raise ApiError(400, "pagination_key does not match a call")
            after = (last["start_timestamp"], last["call_id"])
        start, end = store.window(*window)
        page, _ = _page(_filtered(store.walk(start, end, descending=descending, after=after), predicates), limit)
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
            if has_more and last else None,
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
        if version > agent["version"]:
            raise ApiError(404, "Agent version not found")
        found = public(agent)
        if version != agent["version"]:  # an older version: same settings, not the published one
            found.update(version=version, is_published=False)
        return found

    @api.route("GET", "/get-retell-llm/{llm_id}")
    def get_llm(req: _Incoming) -> Any:
        llm = state.retell_llm(req.params["llm_id"])
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


# --------------------------------------------------------------------------------------------------
# Vapi
# --------------------------------------------------------------------------------------------------

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
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _in_window(value_ms: int | None, window: Bounds) -> bool:
    lo, hi = window
    return value_ms is not None and (lo is None or value_ms >= lo) and (hi is None or value_ms < hi)


def _vapi_list(objects: Iterable[dict[str, Any]], query: QueryParams) -> list[dict[str, Any]]:
    """Assistants or phone numbers: created/updated filters, newest first, `limit`."""
    limit = _int(query.get("limit"), "limit", default=100, lo=0, hi=1000)
    created, updated = _vapi_time_bounds(query, "createdAt"), _vapi_time_bounds(query, "updatedAt")
    chosen = [o for o in objects
              if _in_window(iso_to_ms(o["createdAt"]), created) and _in_window(iso_to_ms(o["updatedAt"]), updated)]
    chosen.sort(key=lambda o: (iso_to_ms(o["createdAt"]), o["id"]), reverse=True)
    return chosen[:limit]


def _vapi_routes(api: _PlatformApi, state: SimulatorState) -> None:
    @api.route("GET", "/call")
    def list_calls(req: _Incoming) -> Any:
        query = _vapi_query(req, ("id", "assistantId", "phoneNumberId", "limit", *_VAPI_TIME_PARAMS))
        limit = _int(query.get("limit"), "limit", default=100, lo=0, hi=1000)
        updated = _vapi_time_bounds(query, "updatedAt")
        predicates: list[Predicate] = [
            lambda c, key=key, want=query[param]: c.get(key) == want
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


# --------------------------------------------------------------------------------------------------
# ElevenLabs
# --------------------------------------------------------------------------------------------------

_EL_SUCCESS = ("success", "failure", "unknown")
# Not a real recording: an MPEG audio frame header plus silence, enough for "has bytes, is audio".
_EL_AUDIO = b"\xff\xfb\x90\x64" + b"\x00" * 413


def _el_int(req: _Incoming, name: str, *, default: Any, lo: int, hi: int | None = None) -> Any:
    value = req.query.get(name)
    if value is None and default is None:
        return None
    return _int(value, name, default=default, lo=lo, hi=hi, status=422)


def _el_agent_summary(agent: dict[str, Any], last_call_ms: int | None) -> dict[str, Any]:
    meta = agent.get("metadata") or {}
    return {
        "agent_id": agent["agent_id"],
        "name": agent.get("name"),
        "voice_id": ((agent.get("conversation_config") or {}).get("tts") or {}).get("voice_id"),
        "tags": agent.get("tags") or [],
        "created_at_unix_secs": meta.get("created_at_unix_secs"),
        "updated_at_unix_secs": meta.get("updated_at_unix_secs"),
        "last_call_time_unix_secs": last_call_ms // 1000 if last_call_ms else None,
        "archived": False,
        "access_info": {"is_creator": True, "creator_name": "Simulator", "creator_email": "sim@example.com",
                        "role": "admin"},
    }


def _el_conversation_filters(req: _Incoming) -> tuple[Bounds, list[Predicate]]:
    window: Bounds = (None, None)
    after = _el_int(req, "call_start_after_unix", default=None, lo=0)
    before = _el_int(req, "call_start_before_unix", default=None, lo=0)
    if after is not None:
        window = _narrow(window, _bounds("gt", Fraction(after * 1000)))
    if before is not None:
        window = _narrow(window, _bounds("lt", Fraction(before * 1000)))
    predicates: list[Predicate] = []
    if req.query.get("agent_id"):
        predicates.append(lambda c, a=req.query["agent_id"]: c.get("agent_id") == a)
    if req.query.get("call_successful"):
        wanted = _choice(req.query["call_successful"], "call_successful", _EL_SUCCESS, status=422)
        predicates.append(lambda c: (c.get("analysis") or {}).get("call_successful", "unknown") == wanted)
    low = _el_int(req, "call_duration_min_secs", default=None, lo=0)
    high = _el_int(req, "call_duration_max_secs", default=None, lo=0)
    if low is not None or high is not None:
        def duration_ok(c: dict[str, Any]) -> bool:
            seconds = (c.get("metadata") or {}).get("call_duration_secs") or 0
            return (low is None or seconds >= low) and (high is None or seconds <= high)

        predicates.append(duration_ok)
    return window, predicates


def _elevenlabs_routes(api: _PlatformApi, state: SimulatorState) -> None:
    def data():
        return state.data("elevenlabs")

    @api.route("GET", "/v1/convai/agents")
    def list_agents(req: _Incoming) -> Any:
        page_size = _el_int(req, "page_size", default=30, lo=1, hi=100)
        sort_by = _choice(req.query.get("sort_by"), "sort_by", ("created_at", "name"), status=422)
        descending = _choice(req.query.get("sort_direction"), "sort_direction", ("desc", "asc"), status=422) == "desc"
        after = _decode_cursor(req.query.get("cursor"), "cursor", status=422, numeric=sort_by == "created_at")
        search = (req.query.get("search") or "").lower()

        def sort_value(agent: dict[str, Any]) -> Any:
            return (agent.get("name") or "") if sort_by == "name" else agent["metadata"]["created_at_unix_secs"]

        archived_only = (req.query.get("archived") or "").lower() == "true"  # none of ours are archived
        found = data()
        entries = []
        for agent in found.agents.values():
            if archived_only or search not in (agent.get("name") or "").lower():
                continue
            entries.append((sort_value(agent), agent["agent_id"], agent))
        page, has_more = _page_sorted(entries, after, page_size, descending, status=422)
        last = page[-1] if page else None
        cursor = _encode_cursor([sort_value(last), last["agent_id"]]) if has_more and last else None
        return {
            "agents": [_el_agent_summary(a, found.last_call_ms.get(a["agent_id"])) for a in page],
            "next_cursor": cursor,
            "has_more": has_more,
        }

    @api.route("GET", "/v1/convai/agents/{agent_id}")
    def get_agent(req: _Incoming) -> Any:
        agent = data().agents.get(req.params["agent_id"])
        if agent is None:
            raise ApiError(404, f"Agent with id {req.params['agent_id']} not found", code="agent_not_found")
        return public(agent)

    @api.route("GET", "/v1/convai/conversations")
    def list_conversations(req: _Incoming) -> Any:
        page_size = _el_int(req, "page_size", default=30, lo=1, hi=100)
        descending = _choice(req.query.get("sort_direction"), "sort_direction", ("desc", "asc"), status=422) == "desc"
        with_summary = _choice(req.query.get("summary_mode"), "summary_mode", ("exclude", "include"),
                               status=422) == "include"
        after = _decode_cursor(req.query.get("cursor"), "cursor", status=422)
        window, predicates = _el_conversation_filters(req)
        store = data().calls
        start, end = store.window(*window)
        walk = store.walk(start, end, descending=descending, after=tuple(after) if after else None)
        page, has_more = _page(_filtered(walk, predicates), page_size)
        summaries = [call_list_item("elevenlabs", c) for c in page]
        if not with_summary:
            for summary in summaries:
                summary.pop("transcript_summary", None)
        last = page[-1] if page else None
        return {
            "conversations": summaries,
            "next_cursor": _encode_cursor([call_time_ms("elevenlabs", last), last["conversation_id"]])
            if has_more and last else None,
            "has_more": has_more,
        }

    @api.route("GET", "/v1/convai/conversations/{conversation_id}")
    def get_conversation(req: _Incoming) -> Any:
        return _el_conversation(req)

    @api.route("GET", "/v1/convai/conversations/{conversation_id}/audio")
    def get_audio(req: _Incoming) -> Any:
        if not _el_conversation(req).get("has_audio"):
            raise ApiError(404, "This conversation has no audio", code="audio_not_found")
        return Response(_EL_AUDIO, media_type="audio/mpeg")

    def _el_conversation(req: _Incoming) -> dict[str, Any]:
        conversation = data().calls.get(req.params["conversation_id"])
        if conversation is None:
            raise ApiError(404, "Conversation not found", code="conversation_not_found")
        return conversation


# --------------------------------------------------------------------------------------------------
# Control API (/_sim): the test knobs over HTTP
# --------------------------------------------------------------------------------------------------


def _pick(body: dict[str, Any], *names: str, default: Any = None) -> Any:
    """The first of `names` present (the control API takes camelCase and snake_case)."""
    return next((body[n] for n in names if n in body), default)


def _control_routes(state: SimulatorState) -> APIRouter:
    router = APIRouter(prefix="/_sim")

    async def json_body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        body = json.loads(raw) if raw.strip() else {}
        if not isinstance(body, dict):
            raise TypeError("the body must be a JSON object")
        return body

    def control(method: str, path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Control endpoints answer 400 on bad input and 404 on unknown ids, as {"error": ...}."""

        def register(handler: Callable[..., Any]) -> Callable[..., Any]:
            async def endpoint(request: Request) -> Response:
                try:
                    body = await json_body(request) if method in ("POST", "PUT") else {}
                    result = await handler(request, body)
                except KeyError as exc:
                    return _json({"error": str(exc.args[0] if exc.args else exc)}, 404)
                except (ValueError, TypeError) as exc:
                    return _json({"error": str(exc)}, 400)
                return _json(result, 200)

            router.add_api_route(path, endpoint, methods=[method], include_in_schema=False)
            return handler

        return register

    def platform_of(body: dict[str, Any]) -> str:
        platform = body.get("platform")
        if platform not in PLATFORMS:
            raise ValueError(f"platform must be one of {', '.join(PLATFORMS)}")
        return platform

    @control("GET", "/state")
    async def show_state(request: Request, body: dict[str, Any]) -> Any:
        return {"platforms": state.summary(), "clock_ms": state.clock_ms()}

    @control("GET", "/requests")
    async def show_requests(request: Request, body: dict[str, Any]) -> Any:
        wanted = request.query_params.get("platform")
        return {"requests": [asdict(r) for r in state.request_log(wanted)]}

    @control("POST", "/faults")
    async def add_fault(request: Request, body: dict[str, Any]) -> Any:
        fault = state.fail_next(platform_of(body), int(body.get("count", 1)), int(body.get("status", 429)),
                                retry_after=_pick(body, "retryAfter", "retry_after"),
                                path_prefix=_pick(body, "pathPrefix", "path_prefix"))
        return {"fault": asdict(fault)}

    @control("DELETE", "/faults")
    async def clear_faults(request: Request, body: dict[str, Any]) -> Any:
        state.clear_faults(request.query_params.get("platform"))
        return {"cleared": True}

    @control("POST", "/keys")
    async def set_key(request: Request, body: dict[str, Any]) -> Any:
        platform = platform_of(body)
        (state.restore_key if body.get("valid", False) else state.invalidate_key)(platform)
        return {"platform": platform, "valid": bool(body.get("valid", False))}

    @control("POST", "/calls")
    async def add_calls(request: Request, body: dict[str, Any]) -> Any:
        added = state.add_calls(platform_of(body), int(body.get("count", 1)),
                                agent_id=_pick(body, "agentId", "agent_id"), analyzed=bool(body.get("analyzed", True)))
        return {"calls": added}

    @control("POST", "/analysis")
    async def update_analysis(request: Request, body: dict[str, Any]) -> Any:
        call_id = _pick(body, "callId", "call_id")
        if not call_id:
            raise ValueError("callId is required")
        return {"call": state.update_analysis(platform_of(body), call_id, body.get("analysis"))}

    @control("DELETE", "/agents/{platform}/{agent_id}")
    async def remove_agent(request: Request, body: dict[str, Any]) -> Any:
        platform = platform_of(dict(request.path_params))
        return {"removed": public(state.remove_agent(platform, request.path_params["agent_id"]))}

    @control("POST", "/reset")
    async def reset(request: Request, body: dict[str, Any]) -> Any:
        state.reset()
        return {"reset": True}

    @control("POST", "/webhook")
    async def webhook(request: Request, body: dict[str, Any]) -> Any:
        return await _post_webhook(state, body, platform_of(body))

    return router


async def _post_webhook(state: SimulatorState, body: dict[str, Any], platform: str) -> dict[str, Any]:
    url = body.get("url")
    if not url:
        raise ValueError("url is required")
    events = body.get("events") or [body.get("event") or DEFAULT_EVENTS[platform]]
    for event in events:
        if event not in EVENTS[platform]:
            raise ValueError(f"{platform} sends no {event!r} webhook")
    secret = body.get("secret") or (state.api_keys["retell"] if platform == "retell" else None)
    if not secret:
        raise ValueError("secret is required")
    call_id = _pick(body, "callId", "call_id")
    if body.get("new"):
        call = state.add_calls(platform, 1, agent_id=_pick(body, "agentId", "agent_id"))[0]
    elif call_id:
        with state.lock:
            call = state.data(platform).calls.get(call_id)
        if call is None:
            raise KeyError(f"no {platform} call {call_id!r}")
    else:
        raise ValueError('give "callId" or "new": true')
    extra = _vapi_extra(state, call) if platform == "vapi" else None
    deliveries = []
    for event in events:
        response = await send_webhook_async(url, platform, event, call, secret=secret, extra=extra,
                                            vapi_auth=_pick(body, "vapiAuth", "vapi_auth", default="hmac"))
        deliveries.append({"event": event, "status": response.status_code})
    return {"callId": call_id_of(platform, call), "deliveries": deliveries}


def _vapi_extra(state: SimulatorState, call: dict[str, Any]) -> dict[str, Any]:
    """What Vapi adds to server messages besides the call: the assistant and the phone number."""
    extra: dict[str, Any] = {}
    with state.lock:
        assistant = state.data("vapi").agents.get(call_agent_id("vapi", call) or "")
        if assistant is not None:
            extra["assistant"] = public(assistant)
        number = next((n for n in state.vapi_phone_numbers() if n["id"] == call.get("phoneNumberId")), None)
    if number is not None:
        extra["phoneNumber"] = number
    return extra


# --------------------------------------------------------------------------------------------------
# Serving in a background thread (tests, benchmarks)
# --------------------------------------------------------------------------------------------------


def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0, *, log_level: str = "warning",
                    startup_timeout: float = 10.0) -> tuple[str, Callable[[], None]]:
    """Run `app` with uvicorn in a daemon thread; return its base URL and a `stop()` function.

    `port=0` picks a free port. The socket is bound before the thread starts, so the URL is valid
    as soon as this returns.
    """
    import uvicorn  # only needed to serve; the app itself runs under any ASGI server

    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that say so, and without it
    # every keep-alive response waits ~40 ms on delayed ACKs.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    server = uvicorn.Server(uvicorn.Config(app, log_level=log_level, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="simulator-http", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the simulator server did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

    return f"http://{host}:{sock.getsockname()[1]}", stop
