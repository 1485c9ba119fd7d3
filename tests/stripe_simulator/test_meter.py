"""Usage reporting: meter events counted once per identifier (a retried report never twice), through
an outage, and billed at renewal."""

from __future__ import annotations

import pytest
import stripe

from tests.stripe_simulator.conftest import Catalog, subscribe
from tests.support.stripe_server import StripeSim


def _report(sim: StripeSim, customer: str, identifier: str, value: str) -> stripe.billing.MeterEvent:
    return sim.client.v1.billing.meter_events.create(
        {
            "event_name": "ai_credit",
            "payload": {"stripe_customer_id": customer, "value": value},
            "identifier": identifier,
        }
    )


def test_a_repeated_identifier_counts_once(stripe_sim: StripeSim, catalog: Catalog) -> None:
    cust = stripe_sim.client.v1.customers.create({"email": "owner@example.com"})
    first = _report(stripe_sim, cust.id, "spend-1", "3")
    assert isinstance(first, stripe.billing.MeterEvent)
    assert (first.identifier, first.payload["value"]) == ("spend-1", "3")
    repeat = _report(stripe_sim, cust.id, "spend-1", "3")  # a job retried after Stripe had it already
    assert repeat.identifier == "spend-1" and repeat.timestamp == first.timestamp
    _report(stripe_sim, cust.id, "spend-2", "2")

    counted = stripe_sim.meter_events(customer=cust.id)
    assert counted["sum"] == 5
    assert [e["identifier"] for e in counted["data"]] == ["spend-1", "spend-2"]


def test_reports_survive_an_outage(stripe_sim: StripeSim, catalog: Catalog) -> None:
    cust = stripe_sim.client.v1.customers.create({"email": "owner@example.com"})
    stripe_sim.outage(True)
    with pytest.raises(stripe.APIError):
        _report(stripe_sim, cust.id, "spend-1", "4")
    assert stripe_sim.meter_events(customer=cust.id)["sum"] == 0
    stripe_sim.outage(False)
    _report(stripe_sim, cust.id, "spend-1", "4")  # the retry, after the outage
    _report(stripe_sim, cust.id, "spend-1", "4")
    assert stripe_sim.meter_events(customer=cust.id)["sum"] == 4


def test_bad_meter_events(stripe_sim: StripeSim, catalog: Catalog) -> None:
    c = stripe_sim.client.v1.billing.meter_events
    with pytest.raises(stripe.InvalidRequestError) as no_meter:
        c.create({"event_name": "nope", "payload": {"stripe_customer_id": "cus_x", "value": "1"}})
    assert no_meter.value.param == "event_name"
    with pytest.raises(stripe.InvalidRequestError) as no_customer:
        c.create({"event_name": "ai_credit", "payload": {"stripe_customer_id": "cus_nope", "value": "1"}})
    assert no_customer.value.param == "payload[stripe_customer_id]"


def test_usage_is_billed_once_at_renewal(stripe_sim: StripeSim, catalog: Catalog) -> None:
    _, sub_id = subscribe(stripe_sim, catalog)
    customer = stripe_sim.client.v1.subscriptions.retrieve(sub_id).customer
    for n in range(4):
        _report(stripe_sim, customer, f"spend-{n}", "10")
    stripe_sim.renew(sub_id)
    stripe_sim.renew(sub_id)
    second, first = stripe_sim.client.v1.invoices.list({"subscription": sub_id, "limit": 2}).data
    metered = [line for line in first.lines.data if line.pricing.price_details.price == catalog.overage.id]
    assert [(line.quantity, line.amount) for line in metered] == [(40, 100)]  # 40 credits at 2.5 cents
    again = [line for line in second.lines.data if line.pricing.price_details.price == catalog.overage.id]
    assert [(line.quantity, line.amount) for line in again] == [(0, 0)]
