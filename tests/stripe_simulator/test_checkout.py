"""Checkout end to end: the session through the SDK, the hosted page's Pay button, the signed webhooks
the product verifies with the SDK, and today's shapes of what Checkout made."""

from __future__ import annotations

import stripe

from tests.stripe_simulator.conftest import Catalog, Hook, subscribe
from tests.support.stripe_server import StripeSim


def test_subscription_checkout_through_the_pay_button(hooked: Hook, catalog: Catalog) -> None:
    sim = hooked.sim
    c = sim.client.v1
    session = c.checkout.sessions.create(
        {
            "mode": "subscription",
            "customer_email": "new-owner@example.com",
            "line_items": [{"price": catalog.pro.id, "quantity": 1}, {"price": catalog.overage.id}],
            "success_url": "http://app.test/billing?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": "http://app.test/billing",
            "client_reference_id": "42",
            "metadata": {"org_id": "42"},
            "subscription_data": {"metadata": {"org_id": "42"}},
        },
        {"idempotency_key": "checkout-42-1"},
    )
    assert isinstance(session, stripe.checkout.Session)
    assert session.id.startswith("cs_test_") and session.url == f"{sim.url}/checkout/{session.id}"
    assert (session.status, session.payment_status, session.amount_total) == ("open", "unpaid", 4900)

    page = sim.http.get(session.url)
    assert "Pro" in page.text and "AI credits" in page.text and 'href="http://app.test/billing">Cancel' in page.text
    paid = sim.pay_checkout(session.url)
    assert paid.status_code == 303
    assert paid.headers["location"] == f"http://app.test/billing?session_id={session.id}"

    events = hooked.verified(3)
    assert [e.type for e in events] == ["customer.subscription.created", "invoice.paid", "checkout.session.completed"]
    sub, inv, done = (e.data.object for e in events)
    assert isinstance(sub, stripe.Subscription) and isinstance(inv, stripe.Invoice)
    assert isinstance(done, stripe.checkout.Session)
    assert (done.status, done.payment_status, done.subscription, done.client_reference_id) == (
        "complete",
        "paid",
        sub.id,
        "42",
    )
    assert done.customer == sub.customer and done.customer.startswith("cus_")
    assert done.metadata["org_id"] == "42" and sub.metadata["org_id"] == "42"
    assert inv.parent is not None and inv.parent.subscription_details is not None
    assert inv.parent.subscription_details.subscription == sub.id
    assert events[0].api_version == "2026-10-28.endive" and events[0].livemode is False

    # What the product reads back from Stripe afterwards.
    again = c.checkout.sessions.retrieve(session.id, {"expand": ["line_items"]})
    assert [li.price.id for li in again.line_items.data] == [catalog.pro.id, catalog.overage.id]
    assert [li.quantity for li in c.checkout.sessions.line_items.list(session.id).data] == [1, None]
    current = c.subscriptions.retrieve(sub.id)
    assert current.status == "active" and not current.cancel_at_period_end
    item = current["items"].data[0]
    assert item.price.id == catalog.pro.id and item.current_period_end > item.current_period_start
    assert c.customers.retrieve(done.customer).email == "new-owner@example.com"
    invoices = c.invoices.list({"customer": done.customer}).data
    assert [(i.status, i.amount_paid, i.billing_reason) for i in invoices] == [("paid", 4900, "subscription_create")]
    assert [line.amount for line in invoices[0].lines.data] == [4900]
    assert sim.http.get(invoices[0].invoice_pdf).content.startswith(b"%PDF-")
    assert invoices[0].number in sim.http.get(invoices[0].hosted_invoice_url).text


def test_expand_subscription_and_latest_invoice(stripe_sim: StripeSim, catalog: Catalog) -> None:
    session, sub_id = subscribe(stripe_sim, catalog)
    got = stripe_sim.client.v1.checkout.sessions.retrieve(session.id, {"expand": ["subscription.latest_invoice"]})
    assert isinstance(got.subscription, stripe.Subscription) and got.subscription.id == sub_id
    assert isinstance(got.subscription.latest_invoice, stripe.Invoice)


def test_credit_pack_payment(hooked: Hook, catalog: Catalog) -> None:
    sim = hooked.sim
    cust = sim.client.v1.customers.create({"email": "owner@example.com"})
    session = sim.client.v1.checkout.sessions.create(
        {
            "mode": "payment",
            "customer": cust.id,
            "line_items": [{"price": catalog.pack.id, "quantity": 2}],
            "success_url": "http://app.test/billing",
            "metadata": {"org_id": "7", "credit_pack": "pack"},
            "payment_intent_data": {"metadata": {"org_id": "7"}},
        }
    )
    assert session.amount_total == 2000
    sim.complete_checkout(session.id)
    [event] = hooked.verified(1)
    done = event.data.object
    assert event.type == "checkout.session.completed" and done.mode == "payment"
    assert (done.payment_status, done.metadata.to_dict()) == ("paid", {"org_id": "7", "credit_pack": "pack"})
    intent = sim.client.v1.payment_intents.retrieve(done.payment_intent)
    assert isinstance(intent, stripe.PaymentIntent) and intent.id.startswith("pi_")
    assert (intent.status, intent.amount, intent.metadata.to_dict()) == ("succeeded", 2000, {"org_id": "7"})


def test_bad_checkout_parameters(stripe_sim: StripeSim, catalog: Catalog) -> None:
    c = stripe_sim.client.v1.checkout.sessions
    base = {"success_url": "http://app.test/ok"}
    for params, param in [
        ({"mode": "payment", "line_items": [{"price": catalog.pro.id, "quantity": 1}]}, "line_items[0][price]"),
        ({"mode": "subscription", "line_items": [{"price": "price_nope", "quantity": 1}]}, "line_items[0][price]"),
        (
            {"mode": "subscription", "line_items": [{"price": catalog.overage.id, "quantity": 3}]},
            "line_items[0][quantity]",
        ),
        ({"mode": "subscription"}, "line_items"),
    ]:
        try:
            c.create({**base, **params})
        except stripe.InvalidRequestError as exc:
            assert (exc.http_status, exc.param) == (400, param)
        else:
            raise AssertionError(f"accepted {params}")
