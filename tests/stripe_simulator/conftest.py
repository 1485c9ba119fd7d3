"""The simulator, a catalogue like the product's (Pro, Agency, an AI-credit meter with its overage price,
a credit pack) and a webhook receiver wired to it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pytest
import stripe

from tests.support import stripe_server
from tests.support.receivers import Receiver
from tests.support.stripe_server import StripeSim

stripe_sim = stripe_server.stripe_sim  # the fixture: a fresh simulator per test


@dataclass
class Catalog:
    pro: stripe.Price
    agency: stripe.Price
    overage: stripe.Price
    pack: stripe.Price
    meter: stripe.billing.Meter


@pytest.fixture
def catalog(stripe_sim: StripeSim) -> Catalog:
    c = stripe_sim.client.v1
    c.products.create({"id": "vc_pro", "name": "Pro", "metadata": {"plan": "pro"}})
    c.products.create({"id": "vc_agency", "name": "Agency", "metadata": {"plan": "agency"}})
    c.products.create({"id": "vc_credits", "name": "AI credits"})
    meter = c.billing.meters.create(
        {"display_name": "AI credits", "event_name": "ai_credit", "default_aggregation": {"formula": "sum"}}
    )

    def monthly(product: str, amount: int, key: str) -> stripe.Price:
        recurring = {"interval": "month", "usage_type": "licensed"}
        params = {"product": product, "currency": "usd", "unit_amount": amount, "recurring": recurring}
        return c.prices.create({**params, "lookup_key": key})

    return Catalog(
        pro=monthly("vc_pro", 4900, "pro_monthly"),
        agency=monthly("vc_agency", 14900, "agency_monthly"),
        overage=c.prices.create(
            {
                "product": "vc_credits",
                "currency": "usd",
                "unit_amount_decimal": "2.5",
                "recurring": {"interval": "month", "usage_type": "metered", "meter": meter.id},
                "lookup_key": "credit_overage",
            }
        ),
        pack=c.prices.create({"product": "vc_credits", "currency": "usd", "unit_amount": 1000, "lookup_key": "pack"}),
        meter=meter,
    )


@dataclass
class Hook:
    """The simulator sending its events to `path` on the (module-wide) receiver."""

    sim: StripeSim
    receiver: Receiver
    path: str

    def verified(self, count: int) -> list[stripe.Event]:
        """Every webhook that arrived once `count` have, each verified with the SDK as the product will."""
        got = self.receiver.wait_for(self.path, count, timeout=10)
        assert len(got) >= count, f"{len(got)} webhooks arrived, expected {count}"
        self.sim.wait_delivered()
        return [
            stripe.Webhook.construct_event(r.body, r.headers["stripe-signature"], self.sim.secret)
            for r in self.receiver.at(self.path)
        ]


@pytest.fixture
def hooked(stripe_sim: StripeSim, receiver: Receiver) -> Hook:
    path = f"/stripe/{secrets.token_hex(4)}"  # the receiver serves the whole module: a path of our own
    stripe_sim.configure_webhook(receiver.url(path), "whsec_test_secret")
    return Hook(stripe_sim, receiver, path)


def subscribe(sim: StripeSim, catalog: Catalog, **extra: object) -> tuple[stripe.checkout.Session, str]:
    """A subscription Checkout for Pro plus the metered overage, paid; returns the session and its
    subscription id."""
    cust = sim.client.v1.customers.create({"email": "owner@example.com", "metadata": {"org_id": "7"}})
    session = sim.client.v1.checkout.sessions.create(
        {
            "mode": "subscription",
            "customer": cust.id,
            "line_items": [{"price": catalog.pro.id, "quantity": 1}, {"price": catalog.overage.id}],
            "success_url": "http://app.test/billing?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": "http://app.test/billing",
            "client_reference_id": "7",
            "metadata": {"org_id": "7"},
            "subscription_data": {"metadata": {"org_id": "7"}},
            **extra,
        }
    )
    completed = sim.complete_checkout(session.id)
    return session, completed["subscription"]
