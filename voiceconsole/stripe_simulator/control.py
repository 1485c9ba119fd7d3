"""`/_sim/...`: the switches tests (and the demo) turn. No auth; JSON bodies; errors in Stripe's shape.

- `POST /_sim/webhook {"url", "secret"}`: where events go and the `whsec_…` they are signed with
  (`url: null` stops delivery). Answers the configuration.
- `GET /_sim/events[?type=…]`: every event, oldest first: `{"data": [{"id", "type", "created",
  "delivery": pending|held|delivered|failed|no_endpoint, "attempts": [{"at", "url", "status", "error"}],
  "event": {…the event as sent…}}]}`.
- `POST /_sim/events/{id}/resend`: send an event again (same id, fresh signature).
- `POST /_sim/hold`: keep new events back (`delivery: held`); `POST /_sim/release {"order": "sent" |
  "reverse"}`: send what was held, in the order it happened or reversed. Answers `{"released": [ids]}`.
- `POST /_sim/checkout/{id}/complete`: what the hosted page's Pay button does; answers the session.
- `POST /_sim/subscriptions/{id}/renew`, `/fail_payment`, `/pay`: the next period paid, a failed renewal
  (or another failed attempt; body `{"action_required": true}` sends `invoice.payment_action_required`
  instead of `invoice.payment_failed`), the open invoice paid (event sequences: lifecycle.py); answer the
  subscription.
- `POST /_sim/outage {"on": true|false}`: every `/v1` request answers 500 while on.
- `GET /_sim/meter_events?customer=cus_…[&event_name=…]`: `{"data": [meter events counted, each with
  its "meter" and the "invoice" that billed it], "sum": <sum of their values>}`.
- `POST /_sim/reset`: forget every object and event (the webhook configuration stays).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from voiceconsole.stripe_simulator import lifecycle
from voiceconsole.stripe_simulator.state import StripeError, StripeState
from voiceconsole.stripe_simulator.webhooks import WebhookSender


def router(state: StripeState, sender: WebhookSender) -> APIRouter:
    r = APIRouter(prefix="/_sim", include_in_schema=False)

    @r.post("/webhook")
    async def configure_webhook(request: Request) -> JSONResponse:
        body = await _body(request)
        with state.lock:
            state.webhook_url = body.get("url")
            state.webhook_secret = body.get("secret") or state.webhook_secret
            return JSONResponse({"url": state.webhook_url, "secret": state.webhook_secret})

    @r.get("/events")
    def events(type: str | None = None) -> JSONResponse:
        with state.lock:
            found = [e.public() for e in state.events.values() if type is None or e.event["type"] == type]
        return JSONResponse({"data": found})

    @r.post("/events/{event_id}/resend")
    def resend(event_id: str) -> JSONResponse:
        return _answer(lambda: _resend(state, sender, event_id))

    @r.post("/hold")
    def hold() -> JSONResponse:
        with state.lock:
            state.hold = True
        return JSONResponse({"hold": True})

    @r.post("/release")
    async def release(request: Request) -> JSONResponse:
        order = (await _body(request)).get("order", "sent")
        return _answer(lambda: _release(state, sender, order))

    @r.post("/checkout/{session_id}/complete")
    def complete(session_id: str, request: Request) -> JSONResponse:
        return _answer(lambda: lifecycle.complete_checkout(state, session_id, _base(request)))

    @r.post("/subscriptions/{sub_id}/renew")
    def renew(sub_id: str, request: Request) -> JSONResponse:
        return _answer(lambda: lifecycle.renew(state, sub_id, _base(request)))

    @r.post("/subscriptions/{sub_id}/fail_payment")
    async def fail_payment(sub_id: str, request: Request) -> JSONResponse:
        action_required = bool((await _body(request)).get("action_required"))
        base = _base(request)
        return _answer(lambda: lifecycle.fail_payment(state, sub_id, base, action_required=action_required))

    @r.post("/subscriptions/{sub_id}/pay")
    def pay(sub_id: str) -> JSONResponse:
        return _answer(lambda: lifecycle.pay(state, sub_id))

    @r.post("/outage")
    async def outage(request: Request) -> JSONResponse:
        on = bool((await _body(request)).get("on", True))
        with state.lock:
            state.outage = on
        return JSONResponse({"on": on})

    @r.get("/meter_events")
    def meter_events(customer: str | None = None, event_name: str | None = None) -> JSONResponse:
        with state.lock:
            found = [
                r
                for r in state.meter_events
                if (customer is None or r.customer == customer)
                and (event_name is None or r.event["event_name"] == event_name)
            ]
            total = float(sum(r.value for r in found))
            return JSONResponse(
                {"data": [r.public() for r in found], "sum": int(total) if total.is_integer() else total}
            )

    @r.post("/reset")
    def reset() -> JSONResponse:
        with state.lock:
            for name in ("objects", "meter_events", "checkout_items", "checkout_metadata", "pending_lines", "events"):
                getattr(state, name).clear()
            state.hold = state.outage = False
        return JSONResponse({"reset": True})

    return r


def _resend(state: StripeState, sender: WebhookSender, event_id: str) -> dict[str, Any]:
    with state.lock:
        record = state.event_record(event_id)
        if not state.webhook_url:
            raise StripeError(400, "No webhook URL is configured (POST /_sim/webhook).", param="url")
        record.status = "pending"
        sender.enqueue(event_id)
        return record.public()


def _release(state: StripeState, sender: WebhookSender, order: str) -> dict[str, Any]:
    if order not in ("sent", "reverse"):
        raise StripeError(400, 'Invalid order: "sent" or "reverse".', param="order")
    with state.lock:
        state.hold = False
        held = [r for r in state.events.values() if r.status == "held"]
        if order == "reverse":
            held.reverse()
        for record in held:
            record.status = "pending" if state.webhook_url else "no_endpoint"
            if state.webhook_url:
                sender.enqueue(record.event["id"])
        return {"released": [r.event["id"] for r in held]}


def _answer(action: Any) -> JSONResponse:
    try:
        return JSONResponse(action())
    except StripeError as exc:
        return JSONResponse(exc.body(), status_code=exc.status)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        body = {}
    return body if isinstance(body, dict) else {}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")
