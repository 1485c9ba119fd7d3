"""The control API (`/_sim`, no auth): the test knobs of `SimulatorState` over HTTP (faults, write faults
for the agent-writing endpoints, keys, new calls, calls in progress and their end, late analysis, agent
removal, reset, state and request log), `/_sim/webhook`, which posts a platform's signed webhook for a stored
or new call, and `/_sim/webhook-signing`, how Vapi messages are signed when a webhook request does not say.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from voiceconsole.platforms.simulator.generator import PLATFORMS
from voiceconsole.platforms.simulator.server.outbound_common import DIAL_PLATFORMS, settle
from voiceconsole.platforms.simulator.server.pipeline import _json
from voiceconsole.platforms.simulator.state import SimulatorState, call_agent_id, call_id_of, public
from voiceconsole.platforms.simulator.webhooks import (
    DEFAULT_EVENTS,
    EVENTS,
    WEBHOOK_VARIANTS,
    VapiHmac,
    send_webhook_async,
)


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
        fault = state.fail_next(
            platform_of(body),
            int(body.get("count", 1)),
            int(body.get("status", 429)),
            retry_after=_pick(body, "retryAfter", "retry_after"),
            path_prefix=_pick(body, "pathPrefix", "path_prefix"),
        )
        return {"fault": asdict(fault)}

    @control("DELETE", "/faults")
    async def clear_faults(request: Request, body: dict[str, Any]) -> Any:
        state.clear_faults(request.query_params.get("platform"))
        return {"cleared": True}

    @control("POST", "/write-faults")
    async def add_write_fault(request: Request, body: dict[str, Any]) -> Any:
        # The agent-writing endpoints (builder_*.py) fail: the next `count` writes (null with "down": true:
        # until cleared), under `pathPrefix` if given, with `status` and the platform's error body for `message`.
        with state.lock:
            fault = state.builder.fail_writes(
                platform_of(body),
                int(body.get("status", 503)),
                body.get("message"),
                count=None if body.get("down") else int(body.get("count", 1)),
                path_prefix=_pick(body, "pathPrefix", "path_prefix"),
            )
        return {"fault": asdict(fault)}

    @control("DELETE", "/write-faults")
    async def clear_write_faults(request: Request, body: dict[str, Any]) -> Any:
        with state.lock:
            state.builder.clear_faults(request.query_params.get("platform"))
        return {"cleared": True}

    @control("POST", "/keys")
    async def set_key(request: Request, body: dict[str, Any]) -> Any:
        platform = platform_of(body)
        (state.restore_key if body.get("valid", False) else state.invalidate_key)(platform)
        return {"platform": platform, "valid": bool(body.get("valid", False))}

    @control("POST", "/calls")
    async def add_calls(request: Request, body: dict[str, Any]) -> Any:
        if body.get("live"):
            live = state.add_live_calls(
                platform_of(body), int(body.get("count", 1)), agent_id=_pick(body, "agentId", "agent_id")
            )
            return {"calls": live}
        added = state.add_calls(
            platform_of(body),
            int(body.get("count", 1)),
            agent_id=_pick(body, "agentId", "agent_id"),
            analyzed=bool(body.get("analyzed", True)),
            variant=body.get("variant"),
        )
        return {"calls": added}

    @control("POST", "/calls/end")
    async def end_call(request: Request, body: dict[str, Any]) -> Any:
        call_id = _pick(body, "callId", "call_id")
        if not call_id:
            raise ValueError("callId is required")
        return {"call": state.end_call(platform_of(body), call_id)}

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

    # -- outbound dials (outbound.py, server/outbound_*.py) ------------------------------------------

    def dial_platform(body: dict[str, Any]) -> str:
        platform = body.get("platform")
        if platform not in DIAL_PLATFORMS:
            raise ValueError(f"platform must be one of {', '.join(DIAL_PLATFORMS)}")
        return platform

    @control("GET", "/dials")
    async def show_dials(request: Request, body: dict[str, Any]) -> Any:
        # Every dial request (refused and failed ones too) and every webhook the dialed calls sent.
        wanted = request.query_params.get("platform")
        with state.lock:
            store = state.outbound
            dials = [asdict(d) for d in store.dials if wanted in (None, d.platform)]
            deliveries = [
                {"platform": d.platform, "callId": d.call_id, "event": d.event, "url": d.url, "status": d.status}
                for d in store.deliveries
                if wanted in (None, d.platform)
            ]
        return {"dials": dials, "deliveries": deliveries, "pending": store.pending()}

    @control("POST", "/dials/settle")
    async def settle_dials(request: Request, body: dict[str, Any]) -> Any:
        return {"settled": True, "webhooks": settle(state)}

    @control("POST", "/outbound")
    async def configure_outbound(request: Request, body: dict[str, Any]) -> Any:
        # {"rates"?: {outcome: share}, "speed"?: x, "script"?: {number: [outcome, ...]}}
        with state.lock:
            for number, outcomes in (body.get("script") or {}).items():
                state.outbound.script(number, list(outcomes))
            return state.outbound.configure(rates=body.get("rates"), speed=body.get("speed"))

    @control("POST", "/dial-faults")
    async def add_dial_fault(request: Request, body: dict[str, Any]) -> Any:
        # Platform down for dials: the next `count` dials (null with "down": true: until cleared) answer
        # `status`; with "placed": true the call is placed before the failure.
        with state.lock:
            fault = state.outbound.fail_dials(
                dial_platform(body),
                int(body.get("status", 503)),
                count=None if body.get("down") else int(body.get("count", 1)),
                placed=bool(body.get("placed", False)),
            )
        return {"fault": asdict(fault)}

    @control("POST", "/rejected-numbers")
    async def reject_number(request: Request, body: dict[str, Any]) -> Any:
        # A to- or from-number (Vapi: a phoneNumberId too) the platform refuses with its 400.
        number = body.get("number")
        if not number:
            raise ValueError("number is required")
        with state.lock:
            state.outbound.reject_number(dial_platform(body), str(number), body.get("message"))
        return {"rejected": number}

    @control("DELETE", "/dial-faults")
    async def clear_dial_faults(request: Request, body: dict[str, Any]) -> Any:
        with state.lock:
            state.outbound.clear_faults(request.query_params.get("platform"))
        return {"cleared": True}

    @control("POST", "/webhook")
    async def webhook(request: Request, body: dict[str, Any]) -> Any:
        return await _post_webhook(state, body, platform_of(body))

    @control("POST", "/webhook-signing")
    async def webhook_signing(request: Request, body: dict[str, Any]) -> Any:
        signing = state.set_webhook_signing(
            vapi_auth=_pick(body, "vapiAuth", "vapi_auth"), vapi_hmac=_pick(body, "vapiHmac", "vapi_hmac")
        )
        return signing.describe()

    return router


async def _post_webhook(state: SimulatorState, body: dict[str, Any], platform: str) -> dict[str, Any]:
    url = body.get("url")
    if not url:
        raise ValueError("url is required")
    events = body.get("events") or [body.get("event") or DEFAULT_EVENTS[platform]]
    for event in events:
        if event not in EVENTS[platform]:
            raise ValueError(f"{platform} sends no {event!r} webhook")
    signing = state.webhook_signing
    vapi_auth = _pick(body, "vapiAuth", "vapi_auth", default=signing.vapi_auth)
    plan = _pick(body, "vapiHmac", "vapi_hmac")
    vapi_hmac = signing.vapi_hmac if plan is None else VapiHmac.from_plan(plan)
    secret = body.get("secret") or (plan or {}).get("secretKey")
    if not secret and platform == "retell":
        secret = state.api_keys["retell"]
    if not secret:
        raise ValueError("secret is required")
    variants = body.get("variants") or []
    if not isinstance(variants, list) or not set(variants) <= set(WEBHOOK_VARIANTS[platform]):
        raise ValueError(f"variants must be a list of: {', '.join(WEBHOOK_VARIANTS[platform]) or 'none'}")
    call_id = _pick(body, "callId", "call_id")
    call: dict[str, Any] | None
    if body.get("new"):
        agent_id = _pick(body, "agentId", "agent_id")
        call = state.add_calls(platform, 1, agent_id=agent_id, variant=body.get("variant"))[0]
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
        response = await send_webhook_async(
            url,
            platform,
            event,
            call,
            secret=secret,
            extra=extra,
            vapi_auth=vapi_auth,
            vapi_hmac=vapi_hmac,
            variants=variants,
        )
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
