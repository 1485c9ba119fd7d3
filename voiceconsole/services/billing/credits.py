"""AI credits (DESIGN.md §7): a monthly allowance per plan, spent one per AI-scored call or coaching.

The ledger holds one grant row per organization and month (created on first use, topped up if the
plan grew during the month) and one spend row per (organization, call, reason). Spending is
idempotent: asking to spend again for the same call and reason succeeds without charging, so a
retried job never pays twice. With nothing left, callers fall back to local mode; running out is
never an error.

Three pools, spent in this order: the month's allowance (`monthly`, lapses at the month's end),
bought credit packs (`pack`, kept until spent), and — when the organization turned overage on and
has a Stripe subscription — `overage`: spent without limit, each row reported once to Stripe's
Billing Meter (services/billing/meter.py) and invoiced at the period's end.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from voiceconsole import enqueue
from voiceconsole.db import after_commit, is_postgres
from voiceconsole.models import CreditLedger, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas import CreditsOut
from voiceconsole.services.billing.plans import effective_plan, plan_for

AI_SCORING = "ai_scoring"
AI_COACHING = "ai_coaching"
SPEND_REASONS = (AI_SCORING, AI_COACHING)


def monthly_allowance(plan: str | None) -> int:
    return plan_for(plan).monthly_credits


def monthly_allowance_for(org: Organization) -> int:
    """The allowance the organization gets now (Free's once a failed payment's grace has ended)."""
    return effective_plan(org).monthly_credits


def current_period(now: datetime | None = None) -> str:
    """The credit month, `YYYY-MM` in UTC."""
    return (now or utcnow()).strftime("%Y-%m")


def _insert_once(session: Session, row: CreditLedger) -> bool:
    """Insert under a savepoint; False when a unique constraint says the row is already there."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
        return True
    except IntegrityError:
        return False


def ensure_grant(session: Session, *, org: Organization, period: str | None = None) -> None:
    """Grant the month's allowance if not granted yet; top up when the plan grew within the month."""
    period = period or current_period()
    allowance = monthly_allowance_for(org)
    granted = _granted(session, pk(org), period)
    if granted == 0:
        if _insert_once(
            session,
            CreditLedger(
                organization_id=pk(org), period=period, entry="grant", reason="monthly_grant", amount=allowance
            ),
        ):
            return
        granted = _granted(session, pk(org), period)  # granted concurrently
    if allowance > granted:
        session.add(
            CreditLedger(
                organization_id=pk(org), period=period, entry="grant", reason="plan_top_up", amount=allowance - granted
            )
        )
        session.flush()


def _sum(session: Session, org_id: int, *conditions: Any) -> int:
    return int(
        session.exec(
            select(func.coalesce(func.sum(CreditLedger.amount), 0)).where(
                CreditLedger.organization_id == org_id, *conditions
            )
        ).one()
    )


def _granted(session: Session, org_id: int, period: str) -> int:
    """The month's allowance as granted (grant and top-ups)."""
    return _sum(
        session, org_id, CreditLedger.period == period, CreditLedger.pool == "monthly", CreditLedger.entry == "grant"
    )


def _used(session: Session, org_id: int, period: str, pool: str = "monthly") -> int:
    return -_sum(
        session, org_id, CreditLedger.period == period, CreditLedger.pool == pool, CreditLedger.entry == "spend"
    )


def _used_all(session: Session, org_id: int, period: str) -> int:
    return -_sum(session, org_id, CreditLedger.period == period, CreditLedger.entry == "spend")


def pack_credits(session: Session, org_id: int) -> int:
    """Bought credits not spent yet (packs do not lapse)."""
    return max(0, _sum(session, org_id, CreditLedger.pool == "pack"))


def can_overspend(org: Organization) -> bool:
    """Overage is on and Stripe can invoice it (a customer with a subscription)."""
    return bool(org.overage and org.stripe_customer_id and org.stripe_subscription_id)


def balance(session: Session, *, org: Organization, period: str | None = None) -> CreditsOut:
    """This month's credits: granted, used and remaining. Read-only: a month not granted yet (or a
    plan that grew) counts as granted in full, as `ensure_grant` will write on the first spend."""
    period = period or current_period()
    allowance = monthly_allowance_for(org)
    granted = max(_granted(session, pk(org), period), allowance)
    packs = pack_credits(session, pk(org))
    return CreditsOut(
        period=period,
        plan=org.plan,
        allowance=allowance,
        granted=granted,
        used=_used_all(session, pk(org), period),
        remaining=max(0, granted - _used(session, pk(org), period)) + packs,
        packs=packs,
        overage=can_overspend(org),
        overage_used=_used(session, pk(org), period, "overage"),
    )


def spendable(session: Session, *, org: Organization) -> int | None:
    """How many credits may be spent now; None when overage makes it unlimited."""
    if can_overspend(org):
        return None
    return balance(session, org=org).remaining


def grant_pack(session: Session, *, org: Organization, credits: int, ref: str) -> bool:
    """Add a bought credit pack once per payment (`ref`: the Checkout session). False when already added."""
    return _insert_once(
        session,
        CreditLedger(
            organization_id=pk(org),
            period=current_period(),
            entry="grant",
            reason="credit_pack",
            pool="pack",
            amount=credits,
            external_ref=ref,
        ),
    )


def already_spent(session: Session, *, org: Organization, call_id: int, reason: str) -> bool:
    return (
        session.exec(
            select(CreditLedger.id).where(
                CreditLedger.organization_id == org.id, CreditLedger.call_id == call_id, CreditLedger.reason == reason
            )
        ).first()
        is not None
    )


def spend(session: Session, *, org: Organization, call_id: int, reason: str) -> bool:
    """Spend one credit on this call for this reason. True when paid (now, or by an earlier run);
    False when the month's credits are used up (nothing is written then).

    On PostgreSQL the month's grant row is locked while checking the balance, so concurrent
    workers cannot overspend; the lock lasts until the caller's transaction ends, so call this
    after any slow work (the LLM request), right before writing the result.
    """
    if reason not in SPEND_REASONS:
        raise ValueError(f"unknown credit reason {reason!r}")
    if already_spent(session, org=org, call_id=call_id, reason=reason):
        return True
    period = current_period()
    ensure_grant(session, org=org, period=period)
    if is_postgres(session):
        session.exec(
            select(CreditLedger.id)
            .where(
                CreditLedger.organization_id == org.id,
                CreditLedger.period == period,
                CreditLedger.reason == "monthly_grant",
            )
            .with_for_update()
        ).all()
    if _granted(session, pk(org), period) - _used(session, pk(org), period) > 0:
        pool = "monthly"
    elif pack_credits(session, pk(org)) > 0:
        pool = "pack"
    elif can_overspend(org):
        pool = "overage"
    else:
        return False
    spent = CreditLedger(
        organization_id=pk(org), period=period, entry="spend", reason=reason, amount=-1, call_id=call_id, pool=pool
    )
    if _insert_once(session, spent) and pool == "overage":
        after_commit(
            session, enqueue.usage_report, key="usage_report"
        )  # to Stripe's meter, once the spend is committed
    return True  # spent now, or concurrently by another run for the same call: paid once


def has_credit(session: Session, *, org: Organization, call_id: int | None = None, reason: str | None = None) -> bool:
    """Whether an AI request may be made now: the call is already paid for, or credits remain."""
    if call_id is not None and reason and already_spent(session, org=org, call_id=call_id, reason=reason):
        return True
    return can_overspend(org) or balance(session, org=org).remaining > 0
