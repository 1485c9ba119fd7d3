"""Plans and billing through Stripe, end to end: Checkout → webhook → plan → rate limits; the Customer
Portal's plan switch; events twice and out of order; a failed payment's grace period, Free's limits after
it and everything back once paid; credit packs. Stripe is the local simulator, driven by the official
SDK; its webhooks reach a real API process over HTTP; jobs run on a real RQ worker."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.services.billing.conftest import subscribe
from tests.support.simulator import run_jobs
from voiceconsole.models import Agent, Call, CreditLedger, Organization, StripeEvent
from voiceconsole.models.types import utcnow

pytestmark = pytest.mark.usefixtures("no_jobs_left_behind")


def _org(db, org) -> Organization:
    db.expire_all()
    return db.get(Organization, org.id)


def _subscription_id(db, org) -> str:
    sub = _org(db, org).stripe_subscription_id
    assert sub
    return sub


def test_checkout_upgrades_the_plan_and_the_rate_limits_follow(billing, db, factory):
    org = factory.org(plan="free")
    key = factory.api_key(org, role="owner")
    with billing.api(key) as api:
        before = api.get("/api/v1/billing")
        assert before.status_code == 200
        assert before.headers["X-RateLimit-Limit"] == "60"
        shown = before.json()["data"]
        assert (shown["plan"], shown["status"], shown["billingEnabled"], shown["hasBillingAccount"]) == (
            "free",
            "active",
            True,
            False,
        )
        assert shown["limits"] == {"agents": 1, "seats": 1, "credits": 20, "perMinute": 60, "perSecond": 10}

        url = api.post("/api/v1/billing/checkout", json={"plan": "pro"}).json()["data"]["url"]
        assert _org(db, org).plan == "free"  # nothing changes before Stripe says it was paid
        billing.sim.pay_checkout(url)
        billing.sim.wait_delivered()

        after = api.get("/api/v1/billing")
        assert after.headers["X-RateLimit-Limit"] == "300"  # the next request already has Pro's limits
        shown = after.json()["data"]
        assert (shown["plan"], shown["status"], shown["hasBillingAccount"]) == ("pro", "active", True)
        assert shown["limits"] == {"agents": 15, "seats": 5, "credits": 1000, "perMinute": 300, "perSecond": 30}
        assert shown["periodEnd"] is not None and shown["cancelAtPeriodEnd"] is False

        invoices = api.get("/api/v1/billing/invoices").json()
        assert invoices["meta"]["total"] == 1
        (invoice,) = invoices["data"]
        assert (invoice["amount"], invoice["status"], invoice["currency"]) == (4900, "paid", "usd")
        assert invoice["pdfUrl"] and invoice["number"]

        # Subscribed: another Checkout for a plan would make a second subscription.
        again = api.post("/api/v1/billing/checkout", json={"plan": "agency"})
        assert again.status_code == 409 and "Manage billing" in again.json()["details"][0]["message"]

    stored = _org(db, org)
    assert stored.stripe_customer_id and stored.stripe_subscription_id
    sub = billing.sim.client.v1.subscriptions.retrieve(stored.stripe_subscription_id)
    assert sub.metadata["organization_id"] == str(org.id)
    prices = {item.price.lookup_key for item in sub["items"].data}
    assert prices == {"voiceconsole_pro_monthly", "voiceconsole_ai_credit_overage"}  # overage billed with it


def test_the_portal_switches_plans_and_cancels_at_period_end(billing, db, factory):
    org, _, key = subscribe(billing, db, factory)
    with billing.api(key) as api:
        portal = api.post("/api/v1/billing/portal")
        assert portal.status_code == 200
        url = portal.json()["data"]["url"]
    page = billing.sim.http.get(url)
    assert page.status_code == 200
    agency = billing.sim.client.v1.prices.list({"lookup_keys": ["voiceconsole_agency_monthly"]}).data[0]
    switch = re.search(r'action="([^"]+/switch)"', page.text)
    assert switch, page.text[:500]
    assert billing.sim.http.post(switch.group(1), data={"price": agency.id}).status_code in (200, 303)
    billing.sim.wait_delivered()
    assert _org(db, org).plan == "agency"

    cancel = re.search(r'action="([^"]+/cancel)"', billing.sim.http.get(url).text)
    assert cancel
    billing.sim.http.post(cancel.group(1))
    billing.sim.wait_delivered()
    stored = _org(db, org)
    assert (stored.plan, stored.cancel_at_period_end) == ("agency", True)  # paid until the period ends

    billing.sim.renew(stored.stripe_subscription_id)  # the period ends: the subscription is deleted
    billing.sim.wait_delivered()
    stored = _org(db, org)
    assert (stored.plan, stored.billing_status, stored.stripe_subscription_id) == ("free", "canceled", None)


def test_events_twice_or_out_of_order_end_in_stripes_current_state(billing, db, factory):
    org, _, _ = subscribe(billing, db, factory)
    sub = _subscription_id(db, org)
    before = db.exec(select(func.count()).select_from(StripeEvent).where(StripeEvent.organization_id == org.id)).one()

    billing.sim.hold()
    billing.sim.fail_payment(sub)  # payment_failed, updated (past_due)
    billing.sim.pay(sub)  # paid, updated (active)
    released = billing.sim.release(order="reverse")  # the newest first
    assert len(released) == 4
    events = billing.sim.wait_delivered()
    assert all(e["delivery"] == "delivered" for e in events)
    stored = _org(db, org)
    # Whatever the order, what is read back from Stripe is the current state: active, and the failure, handled
    # last, is for an invoice paid since: no grace period.
    assert (stored.plan, stored.billing_status, stored.payment_failed_at, stored.grace_ends_at) == (
        "pro",
        "active",
        None,
        None,
    )

    for event in events[-4:]:
        billing.sim.resend(event["id"])
    billing.sim.wait_delivered()
    db.expire_all()
    after = db.exec(select(func.count()).select_from(StripeEvent).where(StripeEvent.organization_id == org.id)).one()
    assert after == before + 4  # each event handled once, the resent ones acknowledged as duplicates
    assert _org(db, org).plan == "pro"


def test_a_failed_payment_gives_grace_then_free_limits_and_paying_restores_everything(billing, db, factory, mailbox):
    org, owner, key = subscribe(billing, db, factory)
    agents = [factory.agent(org, name=f"Agent {i}") for i in range(3)]
    for i, agent in enumerate(agents):  # agent 0 the most active
        for _ in range(3 - i):
            factory.call(org, agent)
    from voiceconsole.services.billing import monitoring

    monitoring.apply_plan_limits(db, _org(db, org))
    db.commit()
    assert all(a.monitored for a in db.exec(select(Agent).where(Agent.organization_id == org.id)))

    sub = _subscription_id(db, org)
    billing.sim.fail_payment(sub)
    billing.sim.wait_delivered()
    stored = _org(db, org)
    assert stored.billing_status == "past_due" and stored.payment_failed_at is not None
    grace = stored.grace_ends_at - stored.payment_failed_at
    assert timedelta(days=7) - timedelta(seconds=1) <= grace <= timedelta(days=7)
    run_jobs("notify")  # the owner's email
    (mail,) = mailbox.wait_for(owner.email, subject="Payment failed")
    assert "/billing" in mail.get_content()

    with billing.api(key) as api:
        shown = api.get("/api/v1/billing").json()["data"]
        assert shown["status"] == "past_due" and shown["limitedToFree"] is False and shown["graceEndsAt"]
        assert shown["limits"]["agents"] == 15  # still Pro during the grace period

    # The grace period ends (made to have ended), the upkeep enforces Free's limits: one monitored agent.
    stored.grace_ends_at = utcnow() - timedelta(seconds=1)
    db.add(stored)
    db.commit()
    from voiceconsole.jobs.billing import billing_upkeep_job

    assert billing_upkeep_job()["graceEnded"] == 1
    assert billing_upkeep_job()["graceEnded"] == 0  # told once
    db.expire_all()
    monitored = db.exec(select(Agent.name).where(Agent.organization_id == org.id, Agent.monitored == True)).all()  # noqa: E712
    assert monitored == ["Agent 0"]
    with billing.api(key) as api:
        response = api.get("/api/v1/billing")
        assert response.headers["X-RateLimit-Limit"] == "60"
        shown = response.json()["data"]
        assert shown["limitedToFree"] is True and shown["plan"] == "pro"
        assert shown["limits"]["agents"] == 1 and shown["usage"]["agents"] == 1
    run_jobs("notify")
    assert mailbox.wait_for(owner.email, subject="Free plan's limits")

    # Paid: Pro's limits again, every agent monitored, nothing was deleted.
    billing.sim.pay(sub)
    billing.sim.wait_delivered()
    stored = _org(db, org)
    assert (stored.billing_status, stored.grace_ends_at, stored.payment_failed_at) == ("active", None, None)
    assert all(a.monitored for a in db.exec(select(Agent).where(Agent.organization_id == org.id)))
    assert db.exec(select(func.count()).select_from(Call).where(Call.organization_id == org.id)).one() == 6
    with billing.api(key) as api:
        assert api.get("/api/v1/billing").headers["X-RateLimit-Limit"] == "300"


def test_a_credit_pack_adds_its_credits_once(billing, db, factory):
    org = factory.org(plan="free")
    key = factory.api_key(org, role="owner")
    with billing.api(key) as api:
        started = api.post("/api/v1/billing/checkout", json={"creditPack": "credits_1000"})
        assert started.status_code == 200, started.text
        billing.sim.pay_checkout(started.json()["data"]["url"])
        events = billing.sim.wait_delivered()
        usage = api.get("/api/v1/billing").json()["data"]["usage"]
        assert usage["packCredits"] == 1000 and usage["creditsRemaining"] == 20 + 1000
        (completed,) = [e for e in events if e["type"] == "checkout.session.completed"][-1:]
        billing.sim.resend(completed["id"])
        billing.sim.wait_delivered()
        assert api.get("/api/v1/billing").json()["data"]["usage"]["packCredits"] == 1000
    assert _org(db, org).plan == "free"  # a pack is no subscription
    rows = db.exec(
        select(CreditLedger).where(CreditLedger.organization_id == org.id, CreditLedger.pool == "pack")
    ).all()
    assert [(r.reason, r.amount) for r in rows] == [("credit_pack", 1000)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "plan"),
        ({"plan": "pro", "creditPack": "credits_1000"}, "plan"),
        ({"plan": "gold"}, "plan"),
        ({"creditPack": "credits_3"}, "creditPack"),
        ({"plan": "pro", "coupon": "FREE"}, "coupon"),
    ],
)
def test_checkout_answers_bad_input_with_the_field(billing, factory, body, field):
    org = factory.org(plan="free")
    with billing.api(factory.api_key(org, role="owner")) as api:
        response = api.post("/api/v1/billing/checkout", json=body)
    assert response.status_code == 422, response.text
    assert field in [d["field"] for d in response.json()["details"]]


def test_who_may_see_and_change_billing(billing, db, factory):
    org, _, _ = subscribe(billing, db, factory)
    for role, read, manage in (("admin", 200, 403), ("member", 403, 403)):
        with billing.api(factory.api_key(org, role=role)) as api:
            assert api.get("/api/v1/billing").status_code == read, role
            assert api.get("/api/v1/billing/invoices").status_code == read, role
            refused = api.post("/api/v1/billing/portal")
            assert refused.status_code == manage
            assert refused.json()["error"] == "Only owners manage billing."
            assert api.patch("/api/v1/billing", json={"overage": True}).status_code == manage
            assert api.post("/api/v1/billing/checkout", json={"creditPack": "credits_1000"}).status_code == manage
    # Another organization's owner sees their own billing, never this one's invoices.
    other = factory.org(plan="free")
    with billing.api(factory.api_key(other, role="owner")) as api:
        assert api.get("/api/v1/billing/invoices").json()["data"] == []
        assert api.post("/api/v1/billing/portal").status_code == 409  # no billing account of its own
    with billing.api(factory.api_key(org, role="owner")) as api:
        assert api.patch("/api/v1/billing", json={"overage": "yes"}).status_code == 422
        assert api.patch("/api/v1/billing", json={"overage": True}).json()["data"]["overage"] is True
