"""Billing's public shapes: the plan and its usage, invoices, plans and credit packs on sale."""

from __future__ import annotations

from datetime import datetime

from voiceconsole.schemas.base import PublicModel


class BillingLimits(PublicModel):
    agents: int | None  # monitored agents; null: unlimited
    seats: int | None  # team members other than client viewers; null: unlimited
    credits: int  # AI credits each month
    per_minute: int  # API requests per key
    per_second: int


class BillingUsage(PublicModel):
    agents: int  # monitored now
    seats: int
    credits_used: int  # this month, every pool
    credits_remaining: int  # the month's allowance left plus bought packs
    pack_credits: int  # bought and not spent yet (they do not lapse)
    overage_credits: int  # past the allowance and packs this month, invoiced on Stripe's meter
    credits_reset_at: datetime  # when the monthly allowance starts again (UTC)


class PlanOffer(PublicModel):
    slug: str
    name: str
    price_usd: int
    agents: int | None
    seats: int | None
    credits: int
    per_minute: int
    per_second: int


class CreditPackOffer(PublicModel):
    slug: str
    credits: int
    price_usd: int


class BillingOut(PublicModel):
    plan: str  # lowercase: free | pro | agency
    status: str  # active | trialing | past_due | canceled
    period_end: datetime | None
    cancel_at_period_end: bool
    limits: BillingLimits  # what applies now (Free's once a failed payment's grace period has ended)
    usage: BillingUsage
    overage: bool
    overage_usd_per_credit: str
    payment_failed_at: datetime | None
    grace_ends_at: datetime | None  # after it, Free's limits until an invoice is paid
    limited_to_free: bool  # the grace period ended: Free's limits apply now
    billing_enabled: bool  # Stripe is configured on this deployment
    has_billing_account: bool  # a Stripe customer exists: "Manage billing" opens its portal
    plans: list[PlanOffer]
    credit_packs: list[CreditPackOffer]


class InvoiceOut(PublicModel):
    id: str
    number: str | None
    date: datetime
    amount: int  # cents
    amount_paid: int
    currency: str
    status: str  # draft | open | paid | uncollectible | void
    pdf_url: str | None
    hosted_url: str | None


class RedirectOut(PublicModel):
    url: str
