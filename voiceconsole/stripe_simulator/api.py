"""The `/v1` endpoints: each handler takes the decoded call and returns the JSON object to answer.

Auth, the outage switch, idempotency keys, `expand[]` and error bodies are the server's (server.py);
handlers validate their parameters and raise `StripeError` in Stripe's words. `ROUTES` lists them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from voiceconsole.stripe_simulator import lifecycle, objects
from voiceconsole.stripe_simulator.forms import as_bool, as_list
from voiceconsole.stripe_simulator.state import MeterEventRecord, StripeError, StripeState, new_id, now

PORTAL_CONFIGURATION = "bpc_simulator"  # the one Portal configuration (every feature on)
_INTERVALS = ("day", "week", "month", "year")


@dataclass
class Call:
    state: StripeState
    params: dict[str, Any]
    path: dict[str, str]  # path parameters
    base_url: str  # the simulator's own address, for hosted pages and invoice URLs

    def required(self, name: str) -> Any:
        value = self.params.get(name)
        if value in (None, "", [], {}):
            raise StripeError(400, f"Missing required param: {name}.", param=name, code="parameter_missing")
        return value

    def metadata(self) -> dict[str, str]:
        value = self.params.get("metadata") or {}
        if not isinstance(value, dict):
            raise StripeError(400, "Invalid metadata: must be an object.", param="metadata")
        return value

    def expand(self) -> list[str]:
        return [str(e) for e in as_list(self.params.get("expand"))]


Handler = Callable[[Call], dict[str, Any]]


def paginate(found: list[dict[str, Any]], call: Call, url: str) -> dict[str, Any]:
    """Stripe's cursor pages over newest-first objects: `limit` (1–100, default 10), `starting_after`."""
    limit = _int(call.params.get("limit") or 10, "limit")
    if not 1 <= limit <= 100:
        raise StripeError(400, "Invalid limit: must be between 1 and 100.", param="limit")
    after = call.params.get("starting_after")
    if after:
        ids = [o["id"] for o in found]
        if after not in ids:
            raise StripeError(400, f"Invalid starting_after: '{after}' is not in this list.", param="starting_after")
        found = found[ids.index(after) + 1 :]
    return objects.list_object(found[:limit], url, has_more=len(found) > limit)


# --- customers, products, prices ------------------------------------------------------------------


def create_customer(call: Call) -> dict[str, Any]:
    return call.state.put(
        objects.customer(email=call.params.get("email"), name=call.params.get("name"), metadata=call.metadata())
    )


def retrieve_customer(call: Call) -> dict[str, Any]:
    return call.state.read("customer", call.path["id"])


def update_customer(call: Call) -> dict[str, Any]:
    with call.state.lock:
        cust = call.state.get("customer", call.path["id"])
        for name in ("email", "name"):
            if name in call.params:
                cust[name] = call.params[name] or None
        cust["metadata"] = lifecycle.merge_metadata(cust["metadata"], call.metadata())
        return copy.deepcopy(cust)


def list_customers(call: Call) -> dict[str, Any]:
    found = call.state.all("customer")
    if call.params.get("email"):
        found = [c for c in found if c["email"] == call.params["email"]]
    return paginate(found, call, "/v1/customers")


def create_product(call: Call) -> dict[str, Any]:
    with call.state.lock:
        product_id = call.params.get("id")
        if product_id and product_id in call.state.objects.get("product", {}):
            raise StripeError(400, "Product already exists.", param="id", code="resource_already_exists")
        return call.state.put(
            objects.product(
                product_id=product_id,
                name=call.required("name"),
                description=call.params.get("description"),
                metadata=call.metadata(),
            )
        )


def retrieve_product(call: Call) -> dict[str, Any]:
    return call.state.read("product", call.path["id"])


def list_products(call: Call) -> dict[str, Any]:
    found = call.state.all("product")
    active = as_bool(call.params.get("active"))
    if active is not None:
        found = [p for p in found if p["active"] == active]
    return paginate(found, call, "/v1/products")


def create_price(call: Call) -> dict[str, Any]:
    with call.state.lock:
        product_id = call.required("product")
        call.state.get("product", product_id, param="product")
        unit_amount, unit_amount_decimal = _amounts(call)
        lookup_key = call.params.get("lookup_key") or None
        if lookup_key:
            _claim_lookup_key(call.state, lookup_key, transfer=bool(as_bool(call.params.get("transfer_lookup_key"))))
        return call.state.put(
            objects.price(
                product_id=product_id,
                currency=str(call.required("currency")).lower(),
                unit_amount=unit_amount,
                unit_amount_decimal=unit_amount_decimal,
                recurring=_recurring(call),
                lookup_key=lookup_key,
                nickname=call.params.get("nickname") or None,
                metadata=call.metadata(),
            )
        )


def _amounts(call: Call) -> tuple[int | None, str]:
    if call.params.get("unit_amount") not in (None, ""):
        amount = _int(call.params["unit_amount"], "unit_amount")
        return amount, str(amount)
    decimal = call.params.get("unit_amount_decimal")
    if decimal in (None, ""):
        raise StripeError(400, "Missing required param: unit_amount.", param="unit_amount", code="parameter_missing")
    try:
        value = Decimal(str(decimal))
    except InvalidOperation:
        raise StripeError(400, "Invalid decimal: unit_amount_decimal.", param="unit_amount_decimal") from None
    # Stripe fills `unit_amount` only when the decimal is a whole number of the smallest unit.
    return (int(value) if value == value.to_integral_value() else None), str(decimal)


def _recurring(call: Call) -> dict[str, Any] | None:
    rec = call.params.get("recurring")
    if not rec:
        return None
    interval = rec.get("interval")
    if interval not in _INTERVALS:
        raise StripeError(
            400, "Invalid recurring[interval]: must be one of day, week, month or year.", param="recurring[interval]"
        )
    usage_type = rec.get("usage_type") or "licensed"
    if usage_type not in ("licensed", "metered"):
        raise StripeError(400, "Invalid recurring[usage_type].", param="recurring[usage_type]")
    meter_id = rec.get("meter") or None
    if usage_type == "metered" and not meter_id:
        raise StripeError(400, "Metered prices need recurring[meter].", param="recurring[meter]")
    if meter_id:
        call.state.get("billing.meter", meter_id, param="recurring[meter]")
    return objects.recurring(
        interval=interval,
        interval_count=_int(rec.get("interval_count") or 1, "recurring[interval_count]"),
        usage_type=usage_type,
        meter=meter_id,
    )


def _claim_lookup_key(state: StripeState, lookup_key: str, *, transfer: bool) -> None:
    holder = next((p for p in state.objects.get("price", {}).values() if p["lookup_key"] == lookup_key), None)
    if holder is None:
        return
    if not transfer:
        raise StripeError(
            400,
            f"A price (`{holder['id']}`) already uses the lookup key `{lookup_key}`; "
            "pass `transfer_lookup_key=true` to move it.",
            param="lookup_key",
        )
    holder["lookup_key"] = None


def retrieve_price(call: Call) -> dict[str, Any]:
    return call.state.read("price", call.path["id"])


def update_price(call: Call) -> dict[str, Any]:
    with call.state.lock:
        found = call.state.get("price", call.path["id"])
        if call.params.get("lookup_key"):
            transfer = bool(as_bool(call.params.get("transfer_lookup_key")))
            if found["lookup_key"] != call.params["lookup_key"]:
                _claim_lookup_key(call.state, call.params["lookup_key"], transfer=transfer)
            found["lookup_key"] = call.params["lookup_key"]
        if as_bool(call.params.get("active")) is not None:
            found["active"] = as_bool(call.params["active"])
        if "nickname" in call.params:
            found["nickname"] = call.params["nickname"] or None
        found["metadata"] = lifecycle.merge_metadata(found["metadata"], call.metadata())
        return copy.deepcopy(found)


def list_prices(call: Call) -> dict[str, Any]:
    found = call.state.all("price")
    keys = as_list(call.params.get("lookup_keys"))
    if keys:
        found = [p for p in found if p["lookup_key"] in keys]
    active = as_bool(call.params.get("active"))
    if active is not None:
        found = [p for p in found if p["active"] == active]
    for name in ("type", "product", "currency"):
        if call.params.get(name):
            found = [p for p in found if p[name] == call.params[name]]
    return paginate(found, call, "/v1/prices")


# --- Billing Meters -------------------------------------------------------------------------------


def create_meter(call: Call) -> dict[str, Any]:
    with call.state.lock:
        event_name = call.required("event_name")
        if _meter_for(call.state, event_name) is not None:
            raise StripeError(400, f"An active meter already uses the event name `{event_name}`.", param="event_name")
        aggregation = call.params.get("default_aggregation") or {}
        formula = aggregation.get("formula") if isinstance(aggregation, dict) else None
        if formula not in ("sum", "count", "last"):
            raise StripeError(400, "Invalid default_aggregation[formula].", param="default_aggregation[formula]")
        mapping = call.params.get("customer_mapping") or {}
        values = call.params.get("value_settings") or {}
        return call.state.put(
            objects.meter(
                display_name=call.required("display_name"),
                event_name=event_name,
                formula=formula,
                customer_payload_key=mapping.get("event_payload_key") or "stripe_customer_id",
                value_payload_key=values.get("event_payload_key") or "value",
            )
        )


def retrieve_meter(call: Call) -> dict[str, Any]:
    return call.state.read("billing.meter", call.path["id"])


def list_meters(call: Call) -> dict[str, Any]:
    found = call.state.all("billing.meter")
    if call.params.get("status"):
        found = [m for m in found if m["status"] == call.params["status"]]
    return paginate(found, call, "/v1/billing/meters")


def _meter_for(state: StripeState, event_name: str) -> dict[str, Any] | None:
    meters = state.objects.get("billing.meter", {}).values()
    return next((m for m in meters if m["event_name"] == event_name and m["status"] == "active"), None)


def create_meter_event(call: Call) -> dict[str, Any]:
    """Count a usage event once per `identifier`: a repeat (a retried report) answers the original event
    with 200 and is not counted again, Stripe's uniqueness rule for identifiers."""
    with call.state.lock:
        event_name = call.required("event_name")
        meter = _meter_for(call.state, event_name)
        if meter is None:
            raise StripeError(400, f"No active meter has the event name `{event_name}`.", param="event_name")
        identifier = call.params.get("identifier") or new_id("mev")
        for record in call.state.meter_events:
            if record.event["identifier"] == identifier:
                return copy.deepcopy(record.event)
        payload = call.required("payload")
        customer_key = meter["customer_mapping"]["event_payload_key"]
        value_key = meter["value_settings"]["event_payload_key"]
        customer_id = payload.get(customer_key)
        if not customer_id:
            raise StripeError(400, f"Missing payload[{customer_key}].", param=f"payload[{customer_key}]")
        call.state.get("customer", customer_id, param=f"payload[{customer_key}]")
        raw_value = payload.get(value_key, "1" if meter["default_aggregation"]["formula"] == "count" else None)
        try:
            value = float(Decimal(str(raw_value)))
        except (InvalidOperation, ValueError):
            raise StripeError(400, f"Invalid payload[{value_key}]: a number.", param=f"payload[{value_key}]") from None
        timestamp = _int(call.params.get("timestamp") or now(), "timestamp")
        event = objects.meter_event(
            event_name=event_name, identifier=identifier, payload=dict(payload), timestamp=timestamp
        )
        call.state.meter_events.append(
            MeterEventRecord(event=event, meter_id=meter["id"], customer=customer_id, value=value)
        )
        return copy.deepcopy(event)


# --- Checkout and the Customer Portal ----------------------------------------------------------------


def create_checkout_session(call: Call) -> dict[str, Any]:
    with call.state.lock:
        mode = call.required("mode")
        if mode not in ("subscription", "payment"):
            raise StripeError(400, f"Invalid mode: {mode} (the simulator has subscription and payment).", param="mode")
        customer_id = call.params.get("customer") or None
        email = call.params.get("customer_email") or None
        if customer_id and email:
            raise StripeError(
                400, "You may only specify one of these parameters: customer, customer_email.", param="customer"
            )
        if customer_id:
            call.state.get("customer", customer_id, param="customer")
        items = [_checkout_item(call, mode, i, raw) for i, raw in enumerate(as_list(call.required("line_items")))]
        if mode == "subscription" and not any(i["price"]["type"] == "recurring" for i in items):
            raise StripeError(
                400, "You must provide at least one recurring price in `subscription` mode.", param="line_items"
            )
        session_id = new_id("cs_test", 58)
        session = objects.checkout_session(
            session_id=session_id,
            mode=mode,
            url=f"{call.base_url}/checkout/{session_id}",
            success_url=call.required("success_url"),
            cancel_url=call.params.get("cancel_url"),
            customer_id=customer_id,
            customer_email=email,
            client_reference_id=call.params.get("client_reference_id"),
            metadata=call.metadata(),
            items=items,
        )
        call.state.checkout_items[session_id] = items
        call.state.checkout_metadata[session_id] = {
            "subscription": (call.params.get("subscription_data") or {}).get("metadata") or {},
            "payment_intent": (call.params.get("payment_intent_data") or {}).get("metadata") or {},
        }
        call.state.put(session)
        return _with_line_items(call, session)


def _checkout_item(call: Call, mode: str, index: int, raw: Any) -> dict[str, Any]:
    param = f"line_items[{index}]"
    if not isinstance(raw, dict) or not raw.get("price"):
        raise StripeError(400, f"Missing required param: {param}[price].", param=f"{param}[price]")
    found = copy.deepcopy(call.state.get("price", raw["price"], param=f"{param}[price]"))
    if not found["active"]:
        raise StripeError(400, f"The price `{found['id']}` is not active.", param=f"{param}[price]")
    metered = (found["recurring"] or {}).get("usage_type") == "metered"
    if mode == "payment" and found["type"] == "recurring":
        raise StripeError(400, "You specified `payment` mode but passed a recurring price.", param=f"{param}[price]")
    if metered and raw.get("quantity"):
        raise StripeError(
            400, "Quantity should not be specified where usage_type is `metered`.", param=f"{param}[quantity]"
        )
    quantity = None if metered else _int(raw.get("quantity") or 1, f"{param}[quantity]")
    product_name = call.state.get("product", found["product"])["name"]
    return objects.checkout_item(found, quantity, product_name)


def retrieve_checkout_session(call: Call) -> dict[str, Any]:
    return _with_line_items(call, call.state.read("checkout.session", call.path["id"]))


def list_checkout_line_items(call: Call) -> dict[str, Any]:
    session_id = call.path["id"]
    call.state.get("checkout.session", session_id)
    items = copy.deepcopy(call.state.checkout_items[session_id])
    return paginate(items, call, f"/v1/checkout/sessions/{session_id}/line_items")


def list_checkout_sessions(call: Call) -> dict[str, Any]:
    found = call.state.all("checkout.session")
    for name in ("customer", "subscription", "payment_intent", "status"):
        if call.params.get(name):
            found = [s for s in found if s[name] == call.params[name]]
    return paginate(found, call, "/v1/checkout/sessions")


def expire_checkout_session(call: Call) -> dict[str, Any]:
    with call.state.lock:
        session = call.state.get("checkout.session", call.path["id"])
        if session["status"] != "open":
            raise StripeError(400, "Only open Checkout sessions can be expired.", param="session")
        session.update(status="expired", url=None)
        lifecycle.emit(call.state, "checkout.session.expired", session)
        return copy.deepcopy(session)


def _with_line_items(call: Call, session: dict[str, Any]) -> dict[str, Any]:
    if "line_items" in call.expand():
        items = copy.deepcopy(call.state.checkout_items[session["id"]])
        session["line_items"] = objects.list_object(items, f"/v1/checkout/sessions/{session['id']}/line_items")
    return session


def create_portal_session(call: Call) -> dict[str, Any]:
    customer_id = call.required("customer")
    call.state.get("customer", customer_id, param="customer")
    session_id = new_id("bps")
    session = objects.portal_session(
        session_id=session_id,
        customer_id=customer_id,
        return_url=call.params.get("return_url"),
        url=f"{call.base_url}/portal/{session_id}",
        configuration=PORTAL_CONFIGURATION,
    )
    return call.state.put(session)


# --- subscriptions and invoices -------------------------------------------------------------------


def retrieve_subscription(call: Call) -> dict[str, Any]:
    return call.state.read("subscription", call.path["id"])


def list_subscriptions(call: Call) -> dict[str, Any]:
    found = call.state.all("subscription")
    if call.params.get("customer"):
        found = [s for s in found if s["customer"] == call.params["customer"]]
    if call.params.get("price"):
        found = [s for s in found if any(i["price"]["id"] == call.params["price"] for i in s["items"]["data"])]
    status = call.params.get("status") or None
    if status is None:  # Stripe's default leaves out canceled subscriptions
        found = [s for s in found if s["status"] != "canceled"]
    elif status != "all":
        found = [s for s in found if s["status"] == status]
    return paginate(found, call, "/v1/subscriptions")


def update_subscription(call: Call) -> dict[str, Any]:
    behavior = call.params.get("proration_behavior") or "create_prorations"
    if behavior not in ("create_prorations", "always_invoice", "none"):
        raise StripeError(400, f"Invalid proration_behavior: {behavior}.", param="proration_behavior")
    return lifecycle.update_subscription(
        call.state,
        call.path["id"],
        items=[i for i in as_list(call.params.get("items")) if isinstance(i, dict)],
        cancel_at_period_end=as_bool(call.params.get("cancel_at_period_end")),
        metadata=call.metadata() if "metadata" in call.params else None,
        proration_behavior=behavior,
        base_url=call.base_url,
    )


def cancel_subscription(call: Call) -> dict[str, Any]:
    return lifecycle.cancel(call.state, call.path["id"])


def retrieve_invoice(call: Call) -> dict[str, Any]:
    return call.state.read("invoice", call.path["id"])


def list_invoices(call: Call) -> dict[str, Any]:
    found = call.state.all("invoice")
    if call.params.get("customer"):
        found = [i for i in found if i["customer"] == call.params["customer"]]
    if call.params.get("subscription"):
        found = [i for i in found if _invoice_subscription(i) == call.params["subscription"]]
    if call.params.get("status"):
        found = [i for i in found if i["status"] == call.params["status"]]
    return paginate(found, call, "/v1/invoices")


def retrieve_payment_intent(call: Call) -> dict[str, Any]:
    return call.state.read("payment_intent", call.path["id"])


def _invoice_subscription(inv: dict[str, Any]) -> str | None:
    details = (inv.get("parent") or {}).get("subscription_details") or {}
    return details.get("subscription")


def _int(value: Any, param: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StripeError(400, f"Invalid integer: {value}", param=param) from None


ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/v1/customers", create_customer),
    ("GET", "/v1/customers", list_customers),
    ("GET", "/v1/customers/{id}", retrieve_customer),
    ("POST", "/v1/customers/{id}", update_customer),
    ("POST", "/v1/products", create_product),
    ("GET", "/v1/products", list_products),
    ("GET", "/v1/products/{id}", retrieve_product),
    ("POST", "/v1/prices", create_price),
    ("GET", "/v1/prices", list_prices),
    ("GET", "/v1/prices/{id}", retrieve_price),
    ("POST", "/v1/prices/{id}", update_price),
    ("POST", "/v1/billing/meters", create_meter),
    ("GET", "/v1/billing/meters", list_meters),
    ("GET", "/v1/billing/meters/{id}", retrieve_meter),
    ("POST", "/v1/billing/meter_events", create_meter_event),
    ("POST", "/v1/checkout/sessions", create_checkout_session),
    ("GET", "/v1/checkout/sessions", list_checkout_sessions),
    ("GET", "/v1/checkout/sessions/{id}", retrieve_checkout_session),
    ("GET", "/v1/checkout/sessions/{id}/line_items", list_checkout_line_items),
    ("POST", "/v1/checkout/sessions/{id}/expire", expire_checkout_session),
    ("POST", "/v1/billing_portal/sessions", create_portal_session),
    ("GET", "/v1/subscriptions", list_subscriptions),
    ("GET", "/v1/subscriptions/{id}", retrieve_subscription),
    ("POST", "/v1/subscriptions/{id}", update_subscription),
    ("DELETE", "/v1/subscriptions/{id}", cancel_subscription),
    ("GET", "/v1/invoices", list_invoices),
    ("GET", "/v1/invoices/{id}", retrieve_invoice),
    ("GET", "/v1/payment_intents/{id}", retrieve_payment_intent),
]
