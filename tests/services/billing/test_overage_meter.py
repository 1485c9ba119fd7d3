"""AI credits past the allowance and packs, with overage on: spent without limit and reported to Stripe's
Billing Meter exactly once — across a Stripe outage, job retries, and a report Stripe took whose commit
was lost. Without overage, running out falls back to local scoring."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.services.billing.conftest import subscribe
from tests.support.simulator import run_jobs
from voiceconsole.jobs.billing import report_usage_job
from voiceconsole.models import CreditLedger, Organization
from voiceconsole.services.billing import credits, meter
from voiceconsole.services.billing.stripe_gateway import METER_EVENT, StripeUnavailable

pytestmark = pytest.mark.usefixtures("no_jobs_left_behind")


def _overage_rows(db, org) -> list[CreditLedger]:
    db.expire_all()
    return list(
        db.exec(
            select(CreditLedger)
            .where(CreditLedger.organization_id == org.id, CreditLedger.pool == "overage")
            .order_by(CreditLedger.id)
        )
    )


def test_overage_is_reported_to_the_meter_exactly_once(billing, db, factory):
    org, _, key = subscribe(billing, db, factory)
    with billing.api(key) as api:
        assert api.patch("/api/v1/billing", json={"overage": True}).json()["data"]["overage"] is True
    db.expire_all()
    org = db.get(Organization, org.id)
    # The month's allowance is used up.
    credits.ensure_grant(db, org=org)
    db.add(
        CreditLedger(
            organization_id=org.id, period=credits.current_period(), entry="spend", reason="ai_scoring", amount=-1000
        )
    )
    db.commit()
    assert credits.balance(db, org=org).remaining == 0 and credits.spendable(db, org=org) is None

    agent = factory.agent(org)
    calls = [factory.call(org, agent) for _ in range(3)]
    for call in calls:
        assert credits.spend(db, org=org, call_id=call.id, reason=credits.AI_SCORING)
        assert credits.spend(db, org=org, call_id=call.id, reason=credits.AI_SCORING)  # a retried job: paid once
    db.commit()  # queues the usage report
    rows = _overage_rows(db, org)
    assert len(rows) == 3 and all(r.reported_at is None for r in rows)

    # Stripe is down: the report fails (RQ retries it later) and nothing is marked as sent.
    billing.sim.outage(True)
    with pytest.raises(StripeUnavailable):
        report_usage_job()
    billing.sim.outage(False)
    assert all(r.reported_at is None for r in _overage_rows(db, org))

    # A report Stripe took before a crash lost our commit: sent again with the same identifier, counted once.
    billing.sim.client.v1.billing.meter_events.create(
        {
            "event_name": METER_EVENT,
            "payload": {"stripe_customer_id": org.stripe_customer_id, "value": "1"},
            "identifier": meter.identifier(rows[0].id),
        }
    )
    run_jobs("default")  # the queued report, on a real worker
    assert all(r.reported_at is not None for r in _overage_rows(db, org))
    assert report_usage_job() == 0  # nothing left: a second run sends nothing
    counted = billing.sim.meter_events(customer=org.stripe_customer_id)
    assert counted["sum"] == 3 and {e["identifier"] for e in counted["data"]} == {meter.identifier(r.id) for r in rows}
    with billing.api(key) as api:
        assert api.get("/api/v1/billing").json()["data"]["usage"]["overageCredits"] == 3

    # Overage off: running out is the local fallback again, nothing more is spent.
    with billing.api(key) as api:
        assert api.patch("/api/v1/billing", json={"overage": False}).json()["data"]["overage"] is False
    db.expire_all()
    org = db.get(Organization, org.id)
    assert credits.spend(db, org=org, call_id=factory.call(org, agent).id, reason=credits.AI_SCORING) is False
    assert len(_overage_rows(db, org)) == 3


def test_overage_needs_a_paid_plan(billing, factory):
    org = factory.org(plan="free")
    with billing.api(factory.api_key(org, role="owner")) as api:
        refused = api.patch("/api/v1/billing", json={"overage": True})
    assert refused.status_code == 409 and refused.json()["details"][0]["field"] == "overage"
