"""What happens to subscriptions and invoices, and the events each change sends.

Completing a Checkout session (the Pay button or `/_sim/checkout/{id}/complete`), renewing a period,
a failed renewal and its later payment, switching a price (API or Portal) and cancelling. Every
function takes the state's lock for the whole change, so an event never shows half of one.

Event sequences (in the order sent):
- Checkout, subscription mode: `customer.subscription.created`, `invoice.paid`, `checkout.session.completed`;
  payment mode: `checkout.session.completed`.
- renew: `invoice.paid`, `customer.subscription.updated` (new period on the items); a subscription set
  to cancel at period end ends instead: `customer.subscription.deleted`.
- fail_payment: `invoice.payment_failed`, `customer.subscription.updated` (`past_due`); again while the
  invoice is open: another `invoice.payment_failed` (attempt_count + 1). With `action_required` (the
  bank asks for 3-D Secure) the invoice event is `invoice.payment_action_required` instead.
- pay: `invoice.paid`, `customer.subscription.updated` (`active`).
- price switch: `customer.subscription.updated`, then `invoice.paid` of the proration invoice when it is
  invoiced at once (`always_invoice`, the Portal's choice); `create_prorations` bills it at renewal.
- cancel_at_period_end: `customer.subscription.updated`; cancel now: `customer.subscription.deleted`.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from voiceconsole.stripe_simulator import objects
from voiceconsole.stripe_simulator.state import StripeError, StripeState, new_id, now

_RETRY_AFTER_S = 3 * 24 * 3600  # when Stripe's Smart Retries would try a failed renewal again


def emit(state: StripeState, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None) -> None:
    state.record_event(objects.event(event_type, copy.deepcopy(obj), previous))


# --- Checkout -------------------------------------------------------------------------------------


def complete_checkout(state: StripeState, session_id: str, base_url: str) -> dict[str, Any]:
    """Pay an open session: what the hosted page's Pay button does."""
    with state.lock:
        session = state.get("checkout.session", session_id)
        if session["status"] != "open":
            raise StripeError(400, f"Checkout session {session_id} is {session['status']}, not open.")
        items = state.checkout_items[session_id]
        cust = _checkout_customer(state, session)
        if session["mode"] == "subscription":
            assert cust is not None  # subscription mode always has one
            metadata = state.checkout_metadata[session_id]["subscription"]
            sub, inv = start_subscription(state, cust, items, metadata, base_url)
            session.update(subscription=sub["id"], invoice=inv["id"])
            emit(state, "customer.subscription.created", sub)
            emit(state, "invoice.paid", inv)
        else:
            intent = objects.payment_intent(
                amount=session["amount_total"],
                currency=session["currency"],
                customer_id=cust["id"] if cust else None,
                metadata=state.checkout_metadata[session_id]["payment_intent"],
            )
            state.put(intent)
            session["payment_intent"] = intent["id"]
        session.update(status="complete", payment_status="paid", url=None)
        session["customer"] = cust["id"] if cust else None
        session["customer_details"] = objects.customer_details(
            cust or {"email": session["customer_email"], "name": None}
        )
        emit(state, "checkout.session.completed", session)
        return copy.deepcopy(session)


def _checkout_customer(state: StripeState, session: dict[str, Any]) -> dict[str, Any] | None:
    """The session's customer; subscription mode makes one from `customer_email` (payment mode: a guest)."""
    if session["customer"]:
        return state.get("customer", session["customer"])
    if session["mode"] != "subscription":
        return None
    cust = objects.customer(email=session["customer_email"], name=None, metadata={})
    state.put(cust)
    return state.get("customer", cust["id"])


# --- Subscriptions --------------------------------------------------------------------------------


def start_subscription(
    state: StripeState,
    cust: dict[str, Any],
    items: list[dict[str, Any]],
    metadata: dict[str, str],
    base_url: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new active subscription for Checkout's line items, and its first invoice, paid."""
    sub_id = new_id("sub")
    start = now()
    end = objects.add_month(start)
    sub_items = [
        objects.subscription_item(
            subscription_id=sub_id, price_obj=item["price"], quantity=item["quantity"], start=start, end=end
        )
        for item in items
    ]
    sub = objects.subscription(
        subscription_id=sub_id,
        customer_id=cust["id"],
        currency=items[0]["currency"],
        items=sub_items,
        metadata=metadata,
    )
    lines = [_licensed_line(state, sub, item, start, end) for item in sub_items if _licensed(item)]
    inv = _new_invoice(state, cust, sub, lines, "subscription_create", start, start, base_url)
    _mark_paid(inv)
    sub["latest_invoice"] = inv["id"]
    state.put(sub)
    state.put(inv)
    return copy.deepcopy(sub), copy.deepcopy(inv)


def renew(
    state: StripeState, sub_id: str, base_url: str, *, fail: bool = False, action_required: bool = False
) -> dict[str, Any]:
    """Start the next period: bill it (plus the metered usage and prorations of the one that ended)."""
    with state.lock:
        sub = _live(state, sub_id)
        if sub["cancel_at_period_end"] and not fail:
            return _end(state, sub, reason="cancellation_requested", at=sub["cancel_at"] or now())
        before = copy.deepcopy(sub)
        old_start, old_end = _period(sub)
        new_end = objects.add_month(old_end)
        inv_id = new_id("in")
        lines = [_licensed_line(state, sub, item, old_end, new_end) for item in _items(sub) if _licensed(item)]
        lines += _metered_lines(state, sub, inv_id, old_start, old_end)
        lines += state.pending_lines.pop(sub_id, [])
        for item in _items(sub):
            item.update(current_period_start=old_end, current_period_end=new_end)
        cust = state.get("customer", sub["customer"])
        inv = _new_invoice(state, cust, sub, lines, "subscription_cycle", old_start, old_end, base_url, inv_id)
        sub["latest_invoice"] = inv["id"]
        if fail:
            _mark_failed(inv)
            sub["status"] = "past_due"
        else:
            _mark_paid(inv)
            sub["status"] = "active"
        state.put(inv)
        emit(state, _failure_event(action_required) if fail else "invoice.paid", inv)
        emit(state, "customer.subscription.updated", sub, _changes(before, sub))
        return copy.deepcopy(sub)


def fail_payment(state: StripeState, sub_id: str, base_url: str, *, action_required: bool = False) -> dict[str, Any]:
    """A renewal whose payment fails; while its invoice is still open, another failed attempt."""
    with state.lock:
        sub = _live(state, sub_id)
        inv = _open_invoice(state, sub)
        if inv is None:
            return renew(state, sub_id, base_url, fail=True, action_required=action_required)
        _mark_failed(inv)
        emit(state, _failure_event(action_required), inv)
        return copy.deepcopy(sub)


def _failure_event(action_required: bool) -> str:
    return "invoice.payment_action_required" if action_required else "invoice.payment_failed"


def pay(state: StripeState, sub_id: str) -> dict[str, Any]:
    """The open invoice gets paid (a new card, a retry that works): the subscription is active again."""
    with state.lock:
        sub = _live(state, sub_id)
        inv = _open_invoice(state, sub)
        if inv is None:
            raise StripeError(400, f"Subscription {sub_id} has no open invoice to pay.", param="subscription")
        before = copy.deepcopy(sub)
        _mark_paid(inv)
        sub["status"] = "active"
        emit(state, "invoice.paid", inv)
        if before["status"] != "active":
            emit(state, "customer.subscription.updated", sub, _changes(before, sub))
        return copy.deepcopy(sub)


def update_subscription(
    state: StripeState,
    sub_id: str,
    *,
    items: list[dict[str, Any]],
    cancel_at_period_end: bool | None,
    metadata: dict[str, str] | None,
    proration_behavior: str,
    base_url: str,
) -> dict[str, Any]:
    """`POST /v1/subscriptions/{id}` and the Portal: change prices, cancel at period end, metadata."""
    with state.lock:
        sub = _live(state, sub_id)
        before = copy.deepcopy(sub)
        prorations: list[dict[str, Any]] = []
        for change in items:
            prorations += _apply_item_change(state, sub, change)
        if cancel_at_period_end is not None:
            sub["cancel_at_period_end"] = cancel_at_period_end
            sub["cancel_at"] = _period(sub)[1] if cancel_at_period_end else None
            sub["canceled_at"] = now() if cancel_at_period_end else None
        if metadata is not None:
            sub["metadata"] = merge_metadata(sub["metadata"], metadata)
        proration_invoice = None
        if prorations and proration_behavior == "always_invoice":
            cust = state.get("customer", sub["customer"])
            start, end = now(), _period(sub)[1]
            proration_invoice = _new_invoice(state, cust, sub, prorations, "subscription_update", start, end, base_url)
            _mark_paid(proration_invoice)
            sub["latest_invoice"] = proration_invoice["id"]
            state.put(proration_invoice)
        elif prorations and proration_behavior == "create_prorations":
            state.pending_lines.setdefault(sub_id, []).extend(prorations)
        changes = _changes(before, sub)
        if changes:
            emit(state, "customer.subscription.updated", sub, changes)
        if proration_invoice:
            emit(state, "invoice.paid", proration_invoice)
        return copy.deepcopy(sub)


def cancel(state: StripeState, sub_id: str) -> dict[str, Any]:
    """`DELETE /v1/subscriptions/{id}`: ends now."""
    with state.lock:
        return _end(state, _live(state, sub_id), reason="cancellation_requested", at=now())


def _end(state: StripeState, sub: dict[str, Any], *, reason: str, at: int) -> dict[str, Any]:
    sub.update(status="canceled", ended_at=at, canceled_at=sub["canceled_at"] or at)
    sub["cancellation_details"]["reason"] = reason
    emit(state, "customer.subscription.deleted", sub)
    return copy.deepcopy(sub)


def _apply_item_change(state: StripeState, sub: dict[str, Any], change: dict[str, Any]) -> list[dict[str, Any]]:
    """One `items[n]` entry: a new price (and/or quantity) for an item; returns its proration lines."""
    item_id = change.get("id")
    item = next((i for i in _items(sub) if i["id"] == item_id), None)
    if item is None:
        raise StripeError(400, f"Invalid subscription item: '{item_id}'", param="items")
    old_price, old_quantity = item["price"], item["quantity"]
    if "price" in change:
        new_price = copy.deepcopy(state.get("price", change["price"], param="items[0][price]"))
        item.update(price=new_price, plan=objects.subscription_item_plan(new_price))
    if "quantity" in change and _licensed(item):
        item["quantity"] = int(change["quantity"])
    if not _licensed(item) or (item["price"]["id"], item["quantity"]) == (old_price["id"], old_quantity):
        return []
    start, end = item["current_period_start"], item["current_period_end"]
    left = Decimal(max(end - now(), 0)) / Decimal(max(end - start, 1))
    credit = -round((old_price["unit_amount"] or 0) * (old_quantity or 0) * left)
    charge = round((item["price"]["unit_amount"] or 0) * (item["quantity"] or 0) * left)
    product_name = _product_name(state, item["price"])
    old_name = _product_name(state, old_price)
    return [
        objects.invoice_line(
            invoice_id="",
            subscription_id=sub["id"],
            subscription_item_id=item["id"],
            price_obj=old_price,
            quantity=old_quantity or 0,
            amount=int(credit),
            description=f"Unused time on {old_quantity or 0} × {old_name}",
            start=now(),
            end=end,
            proration=True,
        ),
        objects.invoice_line(
            invoice_id="",
            subscription_id=sub["id"],
            subscription_item_id=item["id"],
            price_obj=item["price"],
            quantity=item["quantity"] or 0,
            amount=int(charge),
            description=f"Remaining time on {item['quantity'] or 0} × {product_name}",
            start=now(),
            end=end,
            proration=True,
        ),
    ]


# --- Invoices -------------------------------------------------------------------------------------


def _new_invoice(
    state: StripeState,
    cust: dict[str, Any],
    sub: dict[str, Any],
    lines: list[dict[str, Any]],
    billing_reason: str,
    period_start: int,
    period_end: int,
    base_url: str,
    invoice_id: str | None = None,
) -> dict[str, Any]:
    invoice_id = invoice_id or new_id("in")
    for line in lines:
        line["invoice"] = invoice_id
    return objects.invoice(
        invoice_id=invoice_id,
        cust=cust,
        subscription_obj=sub,
        currency=sub["currency"],
        lines=lines,
        billing_reason=billing_reason,
        period_start=period_start,
        period_end=period_end,
        base_url=base_url,
    )


def _mark_paid(inv: dict[str, Any]) -> None:
    paid_at = now()
    inv.update(
        status="paid",
        amount_paid=inv["amount_due"],
        amount_remaining=0,
        attempted=True,
        attempt_count=max(inv["attempt_count"], 1) if inv["amount_due"] else inv["attempt_count"],
        next_payment_attempt=None,
    )
    inv["status_transitions"]["paid_at"] = paid_at


def _mark_failed(inv: dict[str, Any]) -> None:
    inv.update(
        status="open",
        attempted=True,
        attempt_count=inv["attempt_count"] + 1,
        next_payment_attempt=now() + _RETRY_AFTER_S,
    )


def _open_invoice(state: StripeState, sub: dict[str, Any]) -> dict[str, Any] | None:
    latest = sub["latest_invoice"]
    inv = state.get("invoice", latest) if latest else None
    return inv if inv is not None and inv["status"] == "open" else None


def _licensed_line(
    state: StripeState, sub: dict[str, Any], item: dict[str, Any], start: int, end: int
) -> dict[str, Any]:
    quantity = item["quantity"] or 0
    return objects.invoice_line(
        invoice_id="",
        subscription_id=sub["id"],
        subscription_item_id=item["id"],
        price_obj=item["price"],
        quantity=quantity,
        amount=(item["price"]["unit_amount"] or 0) * quantity,
        description=f"{quantity} × {_product_name(state, item['price'])}",
        start=start,
        end=end,
    )


def _metered_lines(
    state: StripeState, sub: dict[str, Any], invoice_id: str, start: int, end: int
) -> list[dict[str, Any]]:
    """Usage of the period that ended, each meter event billed once (marked with this invoice)."""
    lines = []
    for item in _items(sub):
        meter_id = (item["price"]["recurring"] or {}).get("meter")
        if _licensed(item) or not meter_id:
            continue
        meter = state.get("billing.meter", meter_id)
        usage = [
            r for r in state.meter_events if r.meter_id == meter_id and r.customer == sub["customer"] and not r.invoice
        ]
        for record in usage:
            record.invoice = invoice_id
        quantity = aggregate(meter["default_aggregation"]["formula"], [r.value for r in usage])
        unit = Decimal(item["price"]["unit_amount_decimal"] or "0")
        line = objects.invoice_line(
            invoice_id=invoice_id,
            subscription_id=sub["id"],
            subscription_item_id=item["id"],
            price_obj=item["price"],
            quantity=round(quantity),
            amount=round(unit * Decimal(str(quantity))),
            description=f"{meter['display_name']} ({quantity:g})",
            start=start,
            end=end,
        )
        lines.append(line)
    return lines


def aggregate(formula: str, values: list[float]) -> float:
    """A meter's aggregation: `sum` of values, `count` of events, or the `last` value."""
    if formula == "count":
        return float(len(values))
    if formula == "last":
        return values[-1] if values else 0.0
    return float(sum(values))


# --- helpers --------------------------------------------------------------------------------------


def _live(state: StripeState, sub_id: str) -> dict[str, Any]:
    sub = state.get("subscription", sub_id)
    if sub["status"] == "canceled":
        raise StripeError(
            400,
            "A canceled subscription can only update its cancellation_details and metadata.",
            code="subscription_canceled",
        )
    return sub


def _items(sub: dict[str, Any]) -> list[dict[str, Any]]:
    return sub["items"]["data"]


def _licensed(item: dict[str, Any]) -> bool:
    return (item["price"]["recurring"] or {}).get("usage_type", "licensed") == "licensed"


def _period(sub: dict[str, Any]) -> tuple[int, int]:
    first = _items(sub)[0]
    return first["current_period_start"], first["current_period_end"]


def _product_name(state: StripeState, price_obj: dict[str, Any]) -> str:
    found = state.objects.get("product", {}).get(price_obj["product"])
    return found["name"] if found else price_obj["product"]


def merge_metadata(current: dict[str, str], changes: dict[str, str]) -> dict[str, str]:
    """Stripe's metadata update: keys merge, an empty value deletes the key."""
    merged = {**current, **changes}
    return {k: v for k, v in merged.items() if v != ""}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """`data.previous_attributes`: the earlier values of the top-level fields that changed."""
    return {k: v for k, v in before.items() if after.get(k) != v}
