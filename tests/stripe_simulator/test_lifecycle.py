"""Periods and payments through the switches: renewals, a failed payment and its recovery, price
switches and cancellations, each with the events Stripe sends; and delivery: retries, resend, hold
and release in reverse."""

from __future__ import annotations

import stripe

from tests.stripe_simulator.conftest import Catalog, Hook, subscribe
from tests.support.stripe_server import StripeSim


def _types_since(sim: StripeSim, count: int) -> list[str]:
    return sim.event_types()[count:]


def test_renewal_moves_the_period_and_bills_it(hooked: Hook, catalog: Catalog) -> None:
    sim = hooked.sim
    _, sub_id = subscribe(sim, catalog)
    before = sim.client.v1.subscriptions.retrieve(sub_id)["items"].data[0]
    seen = len(sim.events())

    sim.renew(sub_id)
    assert _types_since(sim, seen) == ["invoice.paid", "customer.subscription.updated"]
    events = hooked.verified(seen + 2)[seen:]
    inv, sub = events[0].data.object, events[1].data.object
    item = sub["items"].data[0]
    assert item.current_period_start == before.current_period_end > before.current_period_start
    assert inv.billing_reason == "subscription_cycle" and inv.status == "paid" and inv.amount_paid == 4900
    assert inv.parent.subscription_details.subscription == sub_id and sub.latest_invoice == inv.id
    assert "items" in events[1].data.previous_attributes


def test_failed_payment_then_paid(hooked: Hook, catalog: Catalog) -> None:
    sim = hooked.sim
    _, sub_id = subscribe(sim, catalog)
    seen = len(sim.events())

    assert sim.fail_payment(sub_id)["status"] == "past_due"
    assert sim.fail_payment(sub_id)["status"] == "past_due"  # Stripe's retry fails too
    assert sim.pay(sub_id)["status"] == "active"
    assert _types_since(sim, seen) == [
        "invoice.payment_failed",
        "customer.subscription.updated",
        "invoice.payment_failed",
        "invoice.paid",
        "customer.subscription.updated",
    ]
    events = hooked.verified(seen + 5)[seen:]
    first_failure, past_due, second_failure, paid, active = events
    assert (first_failure.data.object.status, first_failure.data.object.attempt_count) == ("open", 1)
    assert second_failure.data.object.attempt_count == 2
    assert past_due.data.object.status == "past_due" and past_due.data.previous_attributes["status"] == "active"
    assert paid.data.object.id == first_failure.data.object.id and paid.data.object.status == "paid"
    assert active.data.object.status == "active"
    assert sim.client.v1.invoices.list({"subscription": sub_id, "status": "open"}).data == []


def test_payment_action_required(stripe_sim: StripeSim, catalog: Catalog) -> None:
    _, sub_id = subscribe(stripe_sim, catalog)
    seen = len(stripe_sim.events())
    assert stripe_sim.fail_payment(sub_id, action_required=True)["status"] == "past_due"
    assert _types_since(stripe_sim, seen) == ["invoice.payment_action_required", "customer.subscription.updated"]


def test_pay_without_an_open_invoice_is_refused(stripe_sim: StripeSim, catalog: Catalog) -> None:
    _, sub_id = subscribe(stripe_sim, catalog)
    answer = stripe_sim.http.post(f"/_sim/subscriptions/{sub_id}/pay")
    assert answer.status_code == 400 and answer.json()["error"]["type"] == "invalid_request_error"


def test_api_price_switch_and_cancellations(hooked: Hook, catalog: Catalog) -> None:
    sim = hooked.sim
    c = sim.client.v1.subscriptions
    _, sub_id = subscribe(sim, catalog)
    item = c.retrieve(sub_id)["items"].data[0]
    seen = len(sim.events())

    switched = c.update(
        sub_id, {"items": [{"id": item.id, "price": catalog.agency.id}], "proration_behavior": "always_invoice"}
    )
    assert switched["items"].data[0].price.id == catalog.agency.id
    assert _types_since(sim, seen) == ["customer.subscription.updated", "invoice.paid"]
    proration = sim.client.v1.invoices.retrieve(switched.latest_invoice)
    assert proration.billing_reason == "subscription_update"
    assert [line.parent.subscription_item_details.proration for line in proration.lines.data] == [True, True]
    assert sum(line.amount for line in proration.lines.data) == proration.total > 0

    assert c.update(sub_id, {"cancel_at_period_end": True}).cancel_at_period_end is True
    assert c.list({"customer": switched.customer}).data[0].id == sub_id
    canceled = c.cancel(sub_id)
    assert canceled.status == "canceled"
    assert _types_since(sim, seen)[2:] == ["customer.subscription.updated", "customer.subscription.deleted"]
    assert c.list({"customer": switched.customer}).data == []  # Stripe lists leave out canceled ones
    assert [s.id for s in c.list({"customer": switched.customer, "status": "canceled"}).data] == [sub_id]
    hooked.verified(seen + 4)


def test_cancel_at_period_end_ends_at_renewal(stripe_sim: StripeSim, catalog: Catalog) -> None:
    _, sub_id = subscribe(stripe_sim, catalog)
    stripe_sim.client.v1.subscriptions.update(sub_id, {"cancel_at_period_end": True})
    assert stripe_sim.renew(sub_id)["status"] == "canceled"
    assert stripe_sim.event_types()[-1] == "customer.subscription.deleted"


def test_create_prorations_are_billed_at_renewal(stripe_sim: StripeSim, catalog: Catalog) -> None:
    c = stripe_sim.client.v1
    _, sub_id = subscribe(stripe_sim, catalog)
    item = c.subscriptions.retrieve(sub_id)["items"].data[0]
    c.subscriptions.update(sub_id, {"items": [{"id": item.id, "price": catalog.agency.id}]})
    assert len(c.invoices.list({"subscription": sub_id}).data) == 1  # nothing invoiced yet
    stripe_sim.renew(sub_id)
    renewal = c.invoices.list({"subscription": sub_id}).data[0]
    assert renewal.lines.data[0].amount == 14900
    assert sum(1 for line in renewal.lines.data if line.parent.subscription_item_details.proration) == 2


def test_failed_deliveries_are_retried(hooked: Hook, catalog: Catalog) -> None:
    hooked.receiver.respond(hooked.path, 500, 503, 200)  # one answer per request, in turn; then 200s
    subscribe(hooked.sim, catalog)
    hooked.receiver.wait_for(hooked.path, 5)
    events = hooked.sim.wait_delivered()
    assert [e["delivery"] for e in events] == ["delivered"] * 3
    assert [[a["status"] for a in e["attempts"]] for e in events] == [[500, 200], [503, 200], [200]]


def test_resend_hold_and_release_in_reverse(hooked: Hook, catalog: Catalog) -> None:
    sim = hooked.sim
    sim.hold()
    subscribe(sim, catalog)
    assert [e["delivery"] for e in sim.events()] == ["held"] * 3
    released = sim.release("reverse")
    events = hooked.verified(3)
    assert [e.id for e in events] == released
    assert [e.type for e in events] == ["checkout.session.completed", "invoice.paid", "customer.subscription.created"]

    sim.resend(events[0].id)
    again = hooked.verified(4)
    assert again[3].id == events[0].id  # the same event, a second time (with a fresh signature)


def test_unknown_subscription_in_a_switch(stripe_sim: StripeSim) -> None:
    answer = stripe_sim.http.post("/_sim/subscriptions/sub_nope/renew")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "resource_missing"
    try:
        stripe_sim.client.v1.subscriptions.cancel("sub_nope")
    except stripe.InvalidRequestError as exc:
        assert exc.http_status == 404
    else:
        raise AssertionError("cancelled an unknown subscription")
