"""The organization follows its Stripe subscription: plan, status, period end — and failed payments.

Stripe may send events twice and in any order, so nothing here trusts an event's copy of the
subscription: `follow_customer` reads the customer's subscriptions from Stripe as they are now and
applies the current one. A failed payment starts a grace period; once it ends the organization gets
Free's limits (nothing is deleted: agents past the limit stop being monitored) until an invoice is
paid, which gives everything back (their calls of the meantime are imported again).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from sqlmodel import Session, col, select

from voiceconsole.models import Membership, Organization, User
from voiceconsole.models.types import pk, utcnow
from voiceconsole.services.access.actor import SYSTEM, Actor
from voiceconsole.services.access.audit import record
from voiceconsole.services.billing import credits, monitoring
from voiceconsole.services.billing import stripe_gateway as gw
from voiceconsole.services.billing.plans import catalogue, effective_plan, plan_for
from voiceconsole.services.email import send_after_commit
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)

# Stripe's subscription statuses → ours. `incomplete` (the first payment not made yet) changes nothing.
STATUS = {
    "active": "active",
    "trialing": "trialing",
    "past_due": "past_due",
    "unpaid": "past_due",
    "paused": "past_due",
    "canceled": "canceled",
    "incomplete_expired": "canceled",
}
_CURRENT_FIRST = ("active", "trialing", "past_due", "unpaid", "paused")


def _when(epoch: Any) -> datetime | None:
    return datetime.fromtimestamp(int(epoch), UTC) if epoch else None


def plan_of(subscription: dict[str, Any]) -> str:
    """Which of our plans a subscription is for: its licensed price's lookup key (or metadata)."""
    by_lookup = {gw.plan_lookup(slug): slug for slug in catalogue()}
    for item in subscription.get("items", {}).get("data", []):
        price = item.get("price") or {}
        slug = by_lookup.get(price.get("lookup_key") or "") or (price.get("metadata") or {}).get("voiceconsole_plan")
        if slug in catalogue():
            return slug
    return "free"


def current_subscription(subscriptions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The one that counts: a live one (newest first), else the newest ended one."""
    live = [s for s in subscriptions if s.get("status") in _CURRENT_FIRST]
    pool = live or [s for s in subscriptions if s.get("status") in ("canceled", "incomplete_expired")]
    return max(pool, key=lambda s: s.get("created") or 0) if pool else None


def follow_customer(session: Session, org: Organization, client: stripe.StripeClient | None = None) -> None:
    """Read the customer's subscriptions from Stripe now and apply the current one."""
    if not org.stripe_customer_id:
        return
    client = client or gw.stripe_client()
    customer = org.stripe_customer_id
    listed = gw.call(
        "reading subscriptions",
        lambda: client.v1.subscriptions.list({"customer": customer, "status": "all", "limit": 20}),
    )
    apply_subscription(session, org, current_subscription([s.to_dict() for s in listed.data]))


def apply_subscription(session: Session, org: Organization, sub: dict[str, Any] | None, actor: Actor = SYSTEM) -> None:
    if sub is None or sub.get("status") not in STATUS:  # none yet, or `incomplete`: nothing to change
        return
    before = (org.plan, org.billing_status)
    status = STATUS[sub["status"]]
    if status == "canceled":
        org.plan, org.billing_status = "free", "canceled"
        org.stripe_subscription_id, org.period_end, org.cancel_at_period_end = None, None, False
        org.payment_failed_at = org.grace_ends_at = None
    else:
        org.plan, org.billing_status = plan_of(sub), status
        org.stripe_subscription_id = sub["id"]
        ends = [i.get("current_period_end") for i in sub.get("items", {}).get("data", [])]
        org.period_end = _when(max((e for e in ends if e), default=None))
        org.cancel_at_period_end = bool(sub.get("cancel_at_period_end"))
    session.add(org)
    session.flush()
    if (org.plan, org.billing_status) != before:
        record(
            session,
            organization_id=pk(org),
            actor=actor,
            action="billing.plan_changed" if org.plan != before[0] else "billing.status_changed",
            target_type="organization",
            target_id=org.slug,
            details={"from": {"plan": before[0], "status": before[1]}, "to": {"plan": org.plan, "status": status}},
        )
    if org.plan != before[0]:
        changed_plan(session, org)


def changed_plan(session: Session, org: Organization) -> None:
    """What a new plan (or Free's limits) changes at once: monitored agents, this month's credits. Rate
    limits follow on the next request (changing the organization row bumps the API keys' auth epoch)."""
    monitoring.apply_plan_limits(session, org)
    credits.ensure_grant(session, org=org)


def owner_emails(session: Session, org: Organization) -> list[str]:
    rows = session.exec(
        select(User.email)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.organization_id == org.id, Membership.role == "owner")
    ).all()
    return sorted(rows)


def _tell_owners(session: Session, org: Organization, subject: str, text: str) -> None:
    for email in owner_emails(session, org):
        send_after_commit(session, to=email, subject=subject, text=text)


def payment_failed(session: Session, org: Organization, invoice: dict[str, Any]) -> None:
    """Start the grace period (once per run of failures) and tell the owners."""
    org.billing_status = "past_due"
    if org.payment_failed_at is None:
        now = utcnow()
        org.payment_failed_at = now
        org.grace_ends_at = now + timedelta(days=get_settings().billing_grace_days)
        record(
            session,
            organization_id=pk(org),
            actor=SYSTEM,
            action="billing.payment_failed",
            target_type="organization",
            target_id=org.slug,
            details={
                "invoice": invoice.get("id"),
                "graceEndsAt": org.grace_ends_at.isoformat(),
                "amountDue": invoice.get("amount_due"),
            },
        )
        base = get_settings().pages_url
        _tell_owners(
            session,
            org,
            f"Payment failed for {org.name}",
            f"We could not charge the payment method for {org.name}'s {plan_for(org.plan).name} plan.\n\n"
            f"Update it by {org.grace_ends_at:%B %-d, %Y}: after that date the organization gets the Free "
            f"plan's limits (nothing is deleted) until the invoice is paid.\n\n"
            f"Manage billing: {base}/billing\n",
        )
    session.add(org)
    session.flush()


def payment_action_required(session: Session, org: Organization, invoice: dict[str, Any]) -> None:
    """The bank asks the customer to confirm the payment (3-D Secure): tell the owners where."""
    link = invoice.get("hosted_invoice_url") or f"{get_settings().pages_url}/billing"
    _tell_owners(
        session,
        org,
        f"Confirm your payment for {org.name}",
        f"Your bank asks you to confirm the payment for {org.name}'s {plan_for(org.plan).name} plan: {link}\n",
    )


def invoice_paid(session: Session, org: Organization, invoice: dict[str, Any]) -> None:
    """An invoice paid ends a grace period: the plan's limits come back (and past calls of agents that
    were not monitored meanwhile are imported again)."""
    if org.payment_failed_at is None and org.grace_ends_at is None:
        return
    lapsed = effective_plan(org).slug != plan_for(org.plan).slug
    org.payment_failed_at = org.grace_ends_at = None
    settings = dict(org.settings or {})
    settings.pop("grace_lapse_told", None)
    org.settings = settings
    if org.billing_status == "past_due":
        org.billing_status = "active"
    session.add(org)
    session.flush()
    record(
        session,
        organization_id=pk(org),
        actor=SYSTEM,
        action="billing.payment_recovered",
        target_type="organization",
        target_id=org.slug,
        details={"invoice": invoice.get("id")},
    )
    if lapsed:
        changed_plan(session, org)


def enforce_lapsed_grace(session: Session, now: datetime | None = None) -> int:
    """Organizations whose grace period ended: Free's limits now (agents past one stop being monitored),
    and the owners told once. Returns how many were enforced this time."""
    now = now or utcnow()
    orgs = session.exec(
        select(Organization).where(col(Organization.grace_ends_at).is_not(None), col(Organization.grace_ends_at) <= now)
    ).all()
    told = 0
    for org in orgs:
        monitoring.apply_plan_limits(session, org)
        if (org.settings or {}).get("grace_lapse_told"):
            continue
        org.settings = {**(org.settings or {}), "grace_lapse_told": True}
        session.add(org)
        record(session, organization_id=pk(org), actor=SYSTEM, action="billing.grace_ended", target_type="organization")
        _tell_owners(
            session,
            org,
            f"{org.name} is on the Free plan's limits",
            f"The payment for {org.name} is still due, so the organization now has the Free plan's limits: "
            f"one monitored agent and one seat. Nothing was deleted: pay the invoice and everything comes back, "
            f"calls of the meantime included.\n\nManage billing: {get_settings().pages_url}/billing\n",
        )
        told += 1
    session.flush()
    return told


def set_plan(session: Session, org: Organization, plan: str, actor: Actor = SYSTEM) -> bool:
    """The operator sets a plan by hand (`voiceconsole org plan`; billing off, or a plan given for free).
    With a Stripe subscription, its next event sets the plan back to what is paid for. True if changed."""
    if plan not in catalogue():
        raise ValueError(f"plan must be one of {', '.join(catalogue())}")
    if org.plan == plan:
        return False
    before = org.plan
    org.plan = plan
    session.add(org)
    session.flush()
    record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="billing.plan_changed",
        target_type="organization",
        target_id=org.slug,
        details={"from": {"plan": before}, "to": {"plan": plan}, "by": "operator"},
    )
    changed_plan(session, org)
    return True
