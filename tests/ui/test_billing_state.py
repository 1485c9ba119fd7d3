"""Billing as UI states (no browser): the page's reading for each role, billing off, Checkout against the
local Stripe (its events handed to the webhook service as Stripe would send them), and the failed-payment
banner."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import stripe

from tests.support.stripe_server import API_KEY, StripeSim, start_stripe_sim
from tests.support.team import person
from tests.support.ui import make_state, redirect_path
from voiceconsole.db import session_scope
from voiceconsole.models import Organization
from voiceconsole.models.types import utcnow
from voiceconsole.services.billing.setup import ensure_catalogue
from voiceconsole.services.billing.webhooks import receive_stripe_webhook
from voiceconsole.settings import get_settings
from voiceconsole.ui.state.billing import READ_REFUSED, BillingState, PaymentNoticeState, money


def _usage(state) -> dict[str, str]:
    return {row.key: row.used for row in state.usage}


@pytest.fixture
def billing_on(monkeypatch):
    """Stripe configured as against a fresh local simulator, its catalogue set up; events are not sent over
    HTTP (no app is listening) but handed to the webhook service by `deliver`."""
    sim = start_stripe_sim()
    monkeypatch.setenv("STRIPE_SECRET_KEY", API_KEY)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", sim.secret)
    monkeypatch.setenv("VOICECONSOLE_STRIPE_API_BASE", sim.url)
    get_settings.cache_clear()
    try:
        ensure_catalogue()
        yield sim
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        sim.stop()


def deliver(sim: StripeSim, seen: set[str]) -> None:
    """Every event not handed over yet, signed as Stripe signs them, to the webhook service."""
    for entry in sim.events():
        if entry["id"] in seen:
            continue
        seen.add(entry["id"])
        payload = json.dumps(entry["event"])
        signature = stripe.WebhookSignature.generate_signature_header(payload, sim.secret)
        with session_scope() as session:
            receive_stripe_webhook(session, payload=payload.encode(), signature=signature)


def _checkout_id(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_money_and_roles_with_billing_off(factory):
    assert money(4900, "usd") == "$49.00" and money(123456, "eur") == "1,234.56 EUR"
    org = factory.org(plan="free")
    owner = person(factory, org, role="owner")
    state = make_state(BillingState, token=owner.token, path="/billing")
    state.load()
    assert state.loaded and state.error == ""
    assert state.plan == "free" and state.plan_name == "Free" and state.status_label == "Active"
    assert not state.billing_enabled and state.can_manage_billing
    assert _usage(state)["agents"] == "0 / 1" and _usage(state)["seats"] == "1 / 1"
    assert [p.name for p in state.plans] == ["Free", "Pro", "Agency"]
    assert [p.price for p in state.plans] == ["$0 / month", "$49 / month", "$149 / month"]
    assert "Unlimited monitored agents" in state.plans[2].features
    assert state.overage_price == "$0.02 per credit past your allowance, billed monthly"
    state.load_invoices()
    assert state.invoices == [] and state.invoices_error == ""

    # Billing off: the buttons' refusals say how to turn it on, never a traceback.
    state.upgrade("pro")
    assert "STRIPE_SECRET_KEY" in state.action_error and state.busy == ""
    state.set_overage(True)
    assert "STRIPE_SECRET_KEY" in state.action_error and not state.overage

    admin = person(factory, org, role="admin")
    state = make_state(BillingState, token=admin.token, path="/billing")
    state.load()
    assert state.loaded and not state.can_manage_billing
    state.buy_credits("credits_1000")
    assert state.action_error == "Only owners manage billing."

    for role in ("member", "client_viewer"):
        who = person(factory, org, role=role, client=factory.client(org) if role == "client_viewer" else None)
        state = make_state(BillingState, token=who.token, path="/billing")
        state.load()
        assert not state.loaded and state.error == READ_REFUSED and state.plans == []


def test_upgrade_buy_credits_and_invoices_through_checkout(factory, billing_on):
    sim, seen = billing_on, set()
    org = factory.org(plan="free")
    owner = person(factory, org, role="owner")
    state = make_state(BillingState, token=owner.token, path="/billing")
    state.load()
    assert state.billing_enabled and not state.has_billing_account

    url = redirect_path(state.upgrade("pro"))
    assert url and url.startswith(sim.url) and state.busy == "plan:pro"
    sim.complete_checkout(_checkout_id(url))
    deliver(sim, seen)

    back = make_state(BillingState, token=owner.token, path="/billing?checkout=done", query={"checkout": "done"})
    back.load()
    assert back.checkout_returned == "done" and back.busy == ""
    assert back.plan_name == "Pro" and back.status == "active" and back.period_text.startswith("Renews on ")
    assert back.has_billing_account and back.has_subscription
    assert _usage(back)["agents"] == "0 / 15"
    back.load_invoices()
    assert [(i.amount, i.status, i.status_label) for i in back.invoices] == [("$49.00", "paid", "Paid")]
    assert back.invoices[0].number != "—" and back.invoices[0].pdf_url.startswith("http")

    # A second subscription is refused: switching goes through the portal.
    back.upgrade("agency")
    assert "Manage billing" in back.action_error
    assert redirect_path(back.manage()).startswith(sim.url)

    url = redirect_path(back.buy_credits("credits_1000"))
    sim.complete_checkout(_checkout_id(url))
    deliver(sim, seen)
    back.load()
    assert _usage(back)["packs"] == "1,000"

    back.set_overage(True)
    assert back.overage and back.action_error == ""
    assert next(r for r in back.usage if r.key == "overage").note == "Billed with the next invoice"


def _set_billing(org_id: int, **values) -> None:
    with session_scope() as session:
        org = session.get(Organization, org_id)
        for k, v in values.items():
            setattr(org, k, v)
        session.add(org)


def test_payment_notice_for_each_role(factory):
    org = factory.org(plan="pro")
    owner, member = person(factory, org, role="owner"), person(factory, org, role="member")
    viewer = person(factory, org, role="client_viewer", client=factory.client(org))

    notice = make_state(PaymentNoticeState, token=owner.token, path="/dashboard")
    notice.load_notice()
    assert notice.notice == "" and notice.notice_text == ""

    grace_end = utcnow() + timedelta(days=7)
    _set_billing(org.id, billing_status="past_due", payment_failed_at=utcnow(), grace_ends_at=grace_end)
    notice.load_notice()
    assert notice.notice == "past_due" and notice.notice_links_billing
    assert notice.notice_text == (
        f"Payment failed: update your payment method by {grace_end:%b} {grace_end.day}, {grace_end.year} to keep Pro."
    )
    as_member = make_state(PaymentNoticeState, token=member.token, path="/calls")
    as_member.load_notice()
    assert as_member.notice == "past_due" and not as_member.notice_links_billing
    as_viewer = make_state(PaymentNoticeState, token=viewer.token, path="/dashboard")
    as_viewer.load_notice()
    assert as_viewer.notice == ""  # the agency's payments are not its client's business

    _set_billing(org.id, grace_ends_at=utcnow() - timedelta(minutes=1))
    notice.load_notice()
    assert notice.notice == "limited"
    assert notice.notice_text == "Your payment is overdue: Free plan limits apply until it is paid."
    page = make_state(BillingState, token=owner.token, path="/billing")
    page.load()
    assert page.limited_to_free and page.plan_name == "Pro" and _usage(page)["agents"] == "0 / 1"

    # Signed out: no banner, and no redirect from it (the page's guard does that).
    gone = make_state(PaymentNoticeState, token="nope", path="/dashboard")
    assert gone.load_notice() is None and gone.notice == ""
