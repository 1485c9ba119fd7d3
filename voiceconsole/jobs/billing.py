"""Billing's background work: overage reported to Stripe's meter, and the periodic upkeep."""

from __future__ import annotations

import contextlib

from voiceconsole import enqueue
from voiceconsole.db import session_scope
from voiceconsole.services.billing import meter, monitoring, subscription
from voiceconsole.services.billing.stripe_gateway import StripeUnavailable, billing_enabled


def report_usage_job() -> int:
    """Report unreported overage. Raises while Stripe is unreachable, so RQ retries it (enqueue.usage_report)."""
    with session_scope() as session:
        return meter.report_overage(session)


def billing_upkeep_job() -> dict:
    """Every few minutes: grace periods that ended get Free's limits; agents that became monitored get their
    backfill asked for again until it has run; overage a failed job left unreported is sent (an outage longer
    than the job's retries only delays it)."""
    with session_scope() as session:
        lapsed = subscription.enforce_lapsed_grace(session)
        session.commit()
        backfills = monitoring.pending_backfills(session)
        for agent_id in backfills:
            enqueue.backfill_agent(agent_id)
        reported = 0
        if billing_enabled():
            with contextlib.suppress(StripeUnavailable):  # the next upkeep tries again
                reported = meter.report_overage(session)
    return {"graceEnded": lapsed, "reported": reported, "backfills": len(backfills)}
