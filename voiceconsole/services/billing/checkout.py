"""Paying: Checkout for a plan (subscription mode) or a credit pack (a one-time payment), and the Customer
Portal for everything after (payment method, plan switch, cancelling at the period's end, invoices).

These are the only calls to Stripe made while a request waits (DESIGN.md §3); what they lead to arrives
later as webhooks (services/billing/webhooks.py)."""

from __future__ import annotations

import threading

import stripe
from cachetools import TTLCache
from sqlmodel import Session
from stripe.params import CustomerCreateParams
from stripe.params.checkout import SessionCreateParams

from voiceconsole.models import Organization
from voiceconsole.models.types import pk
from voiceconsole.schemas import RedirectOut
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.audit import record
from voiceconsole.services.access.permissions import require
from voiceconsole.services.billing import stripe_gateway as gw
from voiceconsole.services.billing.plans import CREDIT_PACKS, catalogue
from voiceconsole.services.errors import Conflict, ValidationFailed
from voiceconsole.settings import get_settings

# Price ids by lookup key: prices change only when the operator runs `billing setup` again.
_prices: TTLCache = TTLCache(maxsize=64, ttl=300)
_prices_lock = threading.Lock()


def price_ids(client: stripe.StripeClient, keys: list[str]) -> dict[str, str]:
    with _prices_lock:
        missing = [k for k in keys if k not in _prices]
    if missing:
        found = gw.call("finding prices", lambda: client.v1.prices.list({"lookup_keys": missing, "active": True}))
        with _prices_lock:
            for price in found.data:
                _prices[price.lookup_key] = price.id
    with _prices_lock:
        absent = [k for k in keys if k not in _prices]
        if absent:
            raise Conflict(
                "Billing is not set up",
                [{"field": "billing", "message": "Run `voiceconsole billing setup` to create the prices in Stripe"}],
            )
        return {k: _prices[k] for k in keys}


def ensure_customer(session: Session, client: stripe.StripeClient, org: Organization, actor: Actor) -> str:
    """The organization's Stripe customer, created on first use. The idempotency key makes a retry after a
    failed commit find the same customer instead of making a second one."""
    if org.stripe_customer_id:
        return org.stripe_customer_id
    params: CustomerCreateParams = {"name": org.name, "metadata": {"organization_id": str(org.id), "slug": org.slug}}
    email = actor.extra.get("email") or (actor.display if "@" in actor.display else None)
    if email:
        params["email"] = email
    customer = gw.call(
        "creating the customer",
        lambda: client.v1.customers.create(params, {"idempotency_key": f"voiceconsole-customer-{org.id}"}),
    )
    org.stripe_customer_id = customer.id
    session.add(org)
    session.flush()
    return customer.id


def _urls() -> tuple[str, str]:
    base = get_settings().pages_url
    return f"{base}/billing?checkout=done&session_id={{CHECKOUT_SESSION_ID}}", f"{base}/billing?checkout=canceled"


def start_checkout(
    session: Session, *, org: Organization, actor: Actor, plan: str | None = None, credit_pack: str | None = None
) -> RedirectOut:
    """A Checkout session's URL: for a paid plan (with the metered overage price on the same subscription,
    so overage is invoiced with it) or for a credit pack."""
    require(actor, "billing.manage")
    if (plan is None) == (credit_pack is None):
        raise ValidationFailed.field("plan", "Give either plan or creditPack")
    paid = [slug for slug, p in catalogue().items() if p.price_usd > 0]
    if plan is not None and plan not in paid:
        raise ValidationFailed.field("plan", f"Choose one of: {', '.join(paid)}")
    if credit_pack is not None and credit_pack not in CREDIT_PACKS:
        raise ValidationFailed.field("creditPack", f"Choose one of: {', '.join(CREDIT_PACKS)}")
    if plan is not None and org.stripe_subscription_id and org.billing_status != "canceled":
        raise Conflict(
            "Already subscribed", [{"field": "plan", "message": "Switch plans under Manage billing (the portal)"}]
        )
    client = gw.stripe_client()
    customer = ensure_customer(session, client, org, actor)
    success, cancel = _urls()
    meta = {"organization_id": str(org.id)}
    params: SessionCreateParams = {
        "customer": customer,
        "client_reference_id": str(org.id),
        "success_url": success,
        "cancel_url": cancel,
    }
    if plan is not None:
        keys = [gw.plan_lookup(plan), gw.OVERAGE_LOOKUP]
        prices = price_ids(client, keys)
        params["mode"] = "subscription"
        params["line_items"] = [{"price": prices[keys[0]], "quantity": 1}, {"price": prices[keys[1]]}]
        params["metadata"] = {**meta, "plan": plan}
        params["subscription_data"] = {"metadata": meta}
    else:
        assert credit_pack is not None
        key = gw.pack_lookup(credit_pack)
        params["mode"] = "payment"
        params["line_items"] = [{"price": price_ids(client, [key])[key], "quantity": 1}]
        params["metadata"] = {**meta, "credit_pack": credit_pack}
        params["payment_intent_data"] = {"metadata": {**meta, "credit_pack": credit_pack}}
    checkout = gw.call("starting Checkout", lambda: client.v1.checkout.sessions.create(params))
    record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="billing.checkout_started",
        target_type="organization",
        target_id=org.slug,  # Stripe's ids outgrow the column: the session's id goes in the details
        details={"checkoutSession": checkout.id, **({"plan": plan} if plan else {"creditPack": credit_pack})},
    )
    if not checkout.url:
        raise gw.StripeUnavailable()
    return RedirectOut(url=checkout.url)


def open_portal(session: Session, *, org: Organization, actor: Actor) -> RedirectOut:
    require(actor, "billing.manage")
    client = gw.stripe_client()
    if not org.stripe_customer_id:
        raise Conflict("No billing account yet", [{"field": "billing", "message": "Upgrade to a paid plan first"}])
    customer = org.stripe_customer_id
    portal = gw.call(
        "opening the portal",
        lambda: client.v1.billing_portal.sessions.create(
            {"customer": customer, "return_url": f"{get_settings().pages_url}/billing"}
        ),
    )
    return RedirectOut(url=portal.url)
