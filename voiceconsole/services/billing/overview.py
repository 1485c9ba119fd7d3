"""What the billing page and `GET /api/v1/billing` show: the plan, its limits and their use, invoices; and
the overage switch."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from voiceconsole.models import Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas import BillingOut, InvoiceOut
from voiceconsole.schemas.billing import BillingLimits, BillingUsage, CreditPackOffer, PlanOffer
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.audit import record
from voiceconsole.services.access.permissions import require
from voiceconsole.services.billing import credits
from voiceconsole.services.billing import stripe_gateway as gw
from voiceconsole.services.billing.monitoring import monitored_agents_count
from voiceconsole.services.billing.plans import (
    CREDIT_PACKS,
    OVERAGE_USD_PER_CREDIT,
    catalogue,
    effective_plan,
    in_grace_lapse,
)
from voiceconsole.services.billing.seats import seats_used
from voiceconsole.services.errors import Conflict


def next_month_start(now: datetime | None = None) -> datetime:
    now = now or utcnow()
    return datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=UTC)


def billing_overview(session: Session, *, org: Organization, actor: Actor) -> BillingOut:
    require(actor, "billing.read")
    plan = effective_plan(org)
    balance = credits.balance(session, org=org)
    return BillingOut(
        plan=org.plan,
        status=org.billing_status,
        period_end=org.period_end,
        cancel_at_period_end=org.cancel_at_period_end,
        limits=BillingLimits(
            agents=plan.agents,
            seats=plan.seats,
            credits=plan.monthly_credits,
            per_minute=plan.requests_per_minute,
            per_second=plan.requests_per_second,
        ),
        usage=BillingUsage(
            agents=monitored_agents_count(session, org=org),
            seats=seats_used(session, org=org, pending=False),
            credits_used=balance.used,
            credits_remaining=balance.remaining,
            pack_credits=balance.packs,
            overage_credits=balance.overage_used,
            credits_reset_at=next_month_start(),
        ),
        overage=org.overage,
        overage_usd_per_credit=OVERAGE_USD_PER_CREDIT,
        payment_failed_at=org.payment_failed_at,
        grace_ends_at=org.grace_ends_at,
        limited_to_free=in_grace_lapse(org),
        billing_enabled=gw.billing_enabled(),
        has_billing_account=bool(org.stripe_customer_id),
        plans=[
            PlanOffer(
                slug=p.slug,
                name=p.name,
                price_usd=p.price_usd,
                agents=p.agents,
                seats=p.seats,
                credits=p.monthly_credits,
                per_minute=p.requests_per_minute,
                per_second=p.requests_per_second,
            )
            for p in catalogue().values()
        ],
        credit_packs=[
            CreditPackOffer(slug=p.slug, credits=p.credits, price_usd=p.price_usd) for p in CREDIT_PACKS.values()
        ],
    )


def list_invoices(session: Session, *, org: Organization, actor: Actor, limit: int = 24) -> list[InvoiceOut]:
    """The organization's invoices, newest first, as Stripe has them now (no copy is kept here)."""
    require(actor, "billing.read")
    if not org.stripe_customer_id or not gw.billing_enabled():
        return []
    client = gw.stripe_client()
    customer = org.stripe_customer_id
    listed = gw.call("listing invoices", lambda: client.v1.invoices.list({"customer": customer, "limit": limit}))
    return [
        InvoiceOut(
            id=inv.id,
            number=getattr(inv, "number", None),
            date=datetime.fromtimestamp(inv.created, UTC),
            amount=int(getattr(inv, "total", None) or getattr(inv, "amount_due", 0) or 0),
            amount_paid=int(getattr(inv, "amount_paid", 0) or 0),
            currency=str(inv.currency or "usd"),
            status=str(inv.status or "draft"),
            pdf_url=getattr(inv, "invoice_pdf", None),
            hosted_url=getattr(inv, "hosted_invoice_url", None),
        )
        for inv in listed.data
    ]


def set_overage(session: Session, *, org: Organization, actor: Actor, on: bool) -> BillingOut:
    """Turn overage on (AI work goes on past the allowance and packs, each credit billed on the meter) or off
    (running out falls back to local scoring)."""
    require(actor, "billing.manage")
    if on and not gw.billing_enabled():
        raise gw.BillingOff()
    if on and not org.stripe_subscription_id:
        raise Conflict("Overage needs a paid plan", [{"field": "overage", "message": "Upgrade to Pro or Agency first"}])
    if org.overage != on:
        org.overage = on
        session.add(org)
        record(
            session,
            organization_id=pk(org),
            actor=actor,
            action="billing.overage_changed",
            target_type="organization",
            target_id=org.slug,
            details={"overage": on},
        )
        session.flush()
    return billing_overview(session, org=org, actor=actor)
