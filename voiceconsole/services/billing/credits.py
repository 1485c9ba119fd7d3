"""AI credits (DESIGN.md §7): a monthly allowance per plan, spent one per AI-scored call or coaching.

The ledger holds one grant row per organization and month (created on first use, topped up if the
plan grew during the month) and one spend row per (organization, call, reason). Spending is
idempotent: asking to spend again for the same call and reason succeeds without charging, so a
retried job never pays twice. With nothing left, callers fall back to local mode; running out is
never an error.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from voiceconsole.db import is_postgres
from voiceconsole.models import CreditLedger, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas import CreditsOut
from voiceconsole.services.billing.plans import plan_for

AI_SCORING = "ai_scoring"
AI_COACHING = "ai_coaching"
SPEND_REASONS = (AI_SCORING, AI_COACHING)


def monthly_allowance(plan: str | None) -> int:
    return plan_for(plan).monthly_credits


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
    allowance = monthly_allowance(org.plan)
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


def _granted(session: Session, org_id: int, period: str) -> int:
    return int(
        session.exec(
            select(func.coalesce(func.sum(CreditLedger.amount), 0)).where(
                CreditLedger.organization_id == org_id, CreditLedger.period == period, CreditLedger.entry == "grant"
            )
        ).one()
    )


def _used(session: Session, org_id: int, period: str) -> int:
    return -int(
        session.exec(
            select(func.coalesce(func.sum(CreditLedger.amount), 0)).where(
                CreditLedger.organization_id == org_id, CreditLedger.period == period, CreditLedger.entry == "spend"
            )
        ).one()
    )


def balance(session: Session, *, org: Organization, period: str | None = None) -> CreditsOut:
    """This month's credits: granted, used and remaining. Read-only: a month not granted yet (or a
    plan that grew) counts as granted in full, as `ensure_grant` will write on the first spend."""
    period = period or current_period()
    granted = max(_granted(session, pk(org), period), monthly_allowance(org.plan))
    used = _used(session, pk(org), period)
    return CreditsOut(
        period=period,
        plan=org.plan,
        allowance=monthly_allowance(org.plan),
        granted=granted,
        used=used,
        remaining=max(0, granted - used),
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
    if _granted(session, pk(org), period) - _used(session, pk(org), period) <= 0:
        return False
    if _insert_once(
        session,
        CreditLedger(organization_id=pk(org), period=period, entry="spend", reason=reason, amount=-1, call_id=call_id),
    ):
        return True
    return True  # spent concurrently by another run for the same call: paid once


def has_credit(session: Session, *, org: Organization, call_id: int | None = None, reason: str | None = None) -> bool:
    """Whether an AI request may be made now: the call is already paid for, or credits remain."""
    if call_id is not None and reason and already_spent(session, org=org, call_id=call_id, reason=reason):
        return True
    return balance(session, org=org).remaining > 0
