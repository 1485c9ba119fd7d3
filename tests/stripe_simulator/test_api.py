"""The resources through the official SDK: shapes the SDK types, lists and filters, auth, errors in
Stripe's format, idempotency keys and the outage switch."""

from __future__ import annotations

from decimal import Decimal

import pytest
import stripe

from tests.stripe_simulator.conftest import Catalog
from tests.support.stripe_server import StripeSim


def test_customers_create_retrieve_update(stripe_sim: StripeSim) -> None:
    c = stripe_sim.client.v1.customers
    cust = c.create({"email": "owner@example.com", "name": "Bright Smile", "metadata": {"org_id": "7"}})
    assert isinstance(cust, stripe.Customer)
    assert cust.id.startswith("cus_") and cust.email == "owner@example.com" and cust.metadata["org_id"] == "7"

    updated = c.update(cust.id, {"metadata": {"plan": "pro"}})
    assert updated.metadata.to_dict() == {"org_id": "7", "plan": "pro"}
    assert c.retrieve(cust.id).metadata["plan"] == "pro"


def test_catalog_by_lookup_key(stripe_sim: StripeSim, catalog: Catalog) -> None:
    c = stripe_sim.client.v1
    assert c.products.retrieve("vc_pro").name == "Pro"
    found = c.prices.list({"lookup_keys": ["pro_monthly", "agency_monthly"], "active": True})
    assert {p.lookup_key for p in found.data} == {"pro_monthly", "agency_monthly"}
    assert all(isinstance(p, stripe.Price) for p in found.data)
    pro = next(p for p in found.data if p.lookup_key == "pro_monthly")
    assert (pro.unit_amount, pro.currency, pro.type, pro.product) == (4900, "usd", "recurring", "vc_pro")
    assert pro.recurring is not None and pro.recurring.usage_type == "licensed"

    overage = c.prices.retrieve(catalog.overage.id)
    assert overage.recurring is not None and overage.recurring.meter == catalog.meter.id
    assert (overage.unit_amount, overage.unit_amount_decimal) == (None, Decimal("2.5"))  # the SDK parses it
    assert [p.id for p in c.prices.list({"type": "one_time"}).data] == [catalog.pack.id]

    meter = c.billing.meters.retrieve(catalog.meter.id)
    assert isinstance(meter, stripe.billing.Meter) and meter.id.startswith("mtr_")
    assert meter.customer_mapping.event_payload_key == "stripe_customer_id"
    assert [m.id for m in c.billing.meters.list().data] == [catalog.meter.id]


def test_lookup_key_is_unique_unless_transferred(stripe_sim: StripeSim, catalog: Catalog) -> None:
    c = stripe_sim.client.v1.prices
    params = {"product": "vc_pro", "currency": "usd", "unit_amount": 5900, "recurring": {"interval": "month"}}
    with pytest.raises(stripe.InvalidRequestError) as taken:
        c.create({**params, "lookup_key": "pro_monthly"})
    assert taken.value.http_status == 400 and taken.value.param == "lookup_key"

    moved = c.create({**params, "lookup_key": "pro_monthly", "transfer_lookup_key": True})
    assert [p.id for p in c.list({"lookup_keys": ["pro_monthly"]}).data] == [moved.id]
    assert c.retrieve(catalog.pro.id).lookup_key is None


def test_auth_and_unknown_ids(stripe_sim: StripeSim) -> None:
    wrong = stripe.StripeClient("sk_live_nope", base_addresses={"api": stripe_sim.url})
    with pytest.raises(stripe.AuthenticationError) as denied:
        wrong.v1.customers.list()
    assert denied.value.http_status == 401

    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_sim.client.v1.subscriptions.retrieve("sub_unknown")
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"
    assert missing.value.json_body == {
        "error": {
            "type": "invalid_request_error",
            "message": "No such subscription: 'sub_unknown'",
            "param": "id",
            "code": "resource_missing",
        }
    }
    with pytest.raises(stripe.InvalidRequestError) as bad_param:
        stripe_sim.client.v1.prices.create({"product": "prod_nope", "currency": "usd", "unit_amount": 1})
    assert bad_param.value.http_status == 400 and bad_param.value.param == "product"


def test_idempotency_key_replays_the_first_answer(stripe_sim: StripeSim) -> None:
    c = stripe_sim.client.v1.customers
    first = c.create({"email": "a@example.com"}, {"idempotency_key": "same-key"})
    again = c.create({"email": "a@example.com"}, {"idempotency_key": "same-key"})
    assert again.id == first.id
    assert len(c.list().data) == 1
    with pytest.raises(stripe.IdempotencyError):
        c.create({"email": "other@example.com"}, {"idempotency_key": "same-key"})


def test_outage_answers_500_until_it_ends(stripe_sim: StripeSim) -> None:
    stripe_sim.outage(True)
    with pytest.raises(stripe.APIError) as down:
        stripe_sim.client.v1.customers.create({"email": "a@example.com"}, {"idempotency_key": "during-outage"})
    assert down.value.http_status == 500
    stripe_sim.outage(False)
    # A request that failed in the outage was never remembered: the same key works afterwards.
    cust = stripe_sim.client.v1.customers.create({"email": "a@example.com"}, {"idempotency_key": "during-outage"})
    assert cust.email == "a@example.com"


def test_invoice_list_pages(stripe_sim: StripeSim, catalog: Catalog) -> None:
    from tests.stripe_simulator.conftest import subscribe

    _, sub_id = subscribe(stripe_sim, catalog)
    for _ in range(2):
        stripe_sim.renew(sub_id)
    c = stripe_sim.client.v1.invoices
    first = c.list({"subscription": sub_id, "limit": 2})
    assert len(first.data) == 2 and first.has_more
    rest = c.list({"subscription": sub_id, "limit": 2, "starting_after": first.data[-1].id})
    assert len(rest.data) == 1 and not rest.has_more
    assert rest.data[0].billing_reason == "subscription_create"
    numbers = [i.number for i in [*first.data, *rest.data]]
    assert numbers == sorted(numbers, reverse=True) and numbers[-1].endswith("-0001")
