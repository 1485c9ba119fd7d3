"""AI credits spent past the allowance and packs, reported to Stripe's Billing Meter exactly once.

Each overage spend row is one meter event whose `identifier` is the row's id: if we crash after Stripe
took an event but before `reported_at` is committed, the retry sends the same identifier and Stripe
counts it once. Rows are marked one by one, so an outage part-way loses nothing and repeats nothing
that was marked; the job is retried (enqueue.usage_report) and the periodic upkeep catches the rest.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from sqlmodel import Session, col, select
from stripe.params.billing import MeterEventCreateParams

from voiceconsole.models import CreditLedger, Organization
from voiceconsole.models.types import utcnow
from voiceconsole.services.billing import stripe_gateway as gw

log = logging.getLogger(__name__)
BATCH = 500
MAX_BACKDATE = timedelta(days=30)  # Stripe takes timestamps up to 35 days old


def identifier(row_id: int) -> str:
    return f"voiceconsole-credit-{row_id}"


def unreported(session: Session, limit: int = BATCH) -> list[tuple[CreditLedger, str]]:
    rows = session.exec(
        select(CreditLedger, Organization.stripe_customer_id)
        .join(Organization, col(Organization.id) == col(CreditLedger.organization_id))
        .where(CreditLedger.pool == "overage", col(CreditLedger.reported_at).is_(None))
        .order_by(col(CreditLedger.id))
        .limit(limit)
    ).all()
    return [(row, customer) for row, customer in rows if customer]


def report_overage(session: Session) -> int:
    """Send unreported overage to the meter, committing each row's `reported_at` as Stripe takes it.
    Raises `StripeUnavailable` when Stripe cannot be reached (the caller retries later)."""
    if not gw.billing_enabled():
        return 0
    client = gw.stripe_client()
    sent = 0
    while batch := unreported(session):
        for row, customer in batch:
            assert row.id is not None
            params: MeterEventCreateParams = {
                "event_name": gw.METER_EVENT,
                "payload": {"stripe_customer_id": customer, "value": "1"},
                "identifier": identifier(row.id),
            }
            if utcnow() - row.created_at < MAX_BACKDATE:
                params["timestamp"] = int(row.created_at.timestamp())
            gw.call("reporting usage", partial(client.v1.billing.meter_events.create, params))
            row.reported_at = utcnow()
            session.add(row)
            session.commit()
            sent += 1
        if len(batch) < BATCH:
            break
    if sent:
        log.info("reported %s AI credits of overage to Stripe", sent)
    return sent
