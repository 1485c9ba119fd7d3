"""AI credits: the monthly grant by plan, spending once per call and reason, running out."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from voiceconsole.models import CreditLedger
from voiceconsole.services.billing import credits
from voiceconsole.services.billing.plans import catalogue


def spends(db, org) -> int:
    return db.exec(
        select(func.count())
        .select_from(CreditLedger)
        .where(CreditLedger.organization_id == org.id, CreditLedger.entry == "spend")
    ).one()


def test_plan_allowances():
    assert {slug: plan.monthly_credits for slug, plan in catalogue().items()} == {
        "free": 20,
        "pro": 1_000,
        "agency": 10_000,
    }
    assert credits.monthly_allowance("Pro") == 1_000 and credits.monthly_allowance("unknown") == 20


def test_balance_is_read_only_and_the_grant_is_written_once(db, factory):
    org = factory.org(plan="pro")
    b = credits.balance(db, org=org)
    assert (b.allowance, b.granted, b.used, b.remaining) == (1000, 1000, 0, 1000)
    assert b.period == credits.current_period()
    assert db.exec(select(CreditLedger).where(CreditLedger.organization_id == org.id)).all() == []
    credits.ensure_grant(db, org=org)
    credits.ensure_grant(db, org=org)
    rows = db.exec(select(CreditLedger).where(CreditLedger.organization_id == org.id)).all()
    assert [(r.entry, r.reason, r.amount) for r in rows] == [("grant", "monthly_grant", 1000)]


def test_spending_is_once_per_call_and_reason(db, factory):
    org = factory.org(plan="free")
    agent = factory.agent(org)
    call = factory.call(org, agent)
    assert credits.spend(db, org=org, call_id=call.id, reason=credits.AI_SCORING)
    assert credits.spend(db, org=org, call_id=call.id, reason=credits.AI_SCORING)  # a retry: paid already
    assert credits.spend(db, org=org, call_id=call.id, reason=credits.AI_COACHING)  # another reason
    db.commit()
    assert spends(db, org) == 2
    assert credits.balance(db, org=org).remaining == 18
    assert credits.already_spent(db, org=org, call_id=call.id, reason=credits.AI_SCORING)


def test_running_out_refuses_without_writing(db, factory):
    org = factory.org(plan="free")
    agent = factory.agent(org)
    calls = [factory.call(org, agent) for _ in range(21)]
    assert all(credits.spend(db, org=org, call_id=c.id, reason=credits.AI_SCORING) for c in calls[:20])
    assert credits.spend(db, org=org, call_id=calls[20].id, reason=credits.AI_SCORING) is False
    db.commit()
    assert spends(db, org) == 20 and credits.balance(db, org=org).remaining == 0
    assert not credits.has_credit(db, org=org)
    # A call paid for earlier may still be asked about again (a retried job): free.
    assert credits.has_credit(db, org=org, call_id=calls[0].id, reason=credits.AI_SCORING)


def test_a_plan_upgrade_tops_up_the_month(db, factory):
    org = factory.org(plan="free")
    agent = factory.agent(org)
    call = factory.call(org, agent)
    assert credits.spend(db, org=org, call_id=call.id, reason=credits.AI_SCORING)
    org.plan = "pro"
    db.add(org)
    credits.ensure_grant(db, org=org)
    db.commit()
    b = credits.balance(db, org=org)
    assert (b.granted, b.used, b.remaining) == (1000, 1, 999)
    rows = db.exec(
        select(CreditLedger.reason, CreditLedger.amount)
        .where(CreditLedger.organization_id == org.id, CreditLedger.entry == "grant")
        .order_by(CreditLedger.id)
    ).all()
    assert rows == [("monthly_grant", 20), ("plan_top_up", 980)]


def test_each_month_has_its_own_grant(db, factory):
    org = factory.org(plan="free")
    credits.ensure_grant(db, org=org, period="2026-01")
    credits.ensure_grant(db, org=org, period="2026-02")
    credits.ensure_grant(db, org=org, period="2026-02")
    db.commit()
    assert (
        db.exec(select(func.count()).select_from(CreditLedger).where(CreditLedger.organization_id == org.id)).one() == 2
    )
