"""Dialing: one dispatch pass per campaign, run by a job every scheduler tick (jobs/campaigns.py).

A pass, in order:
1. a scheduled campaign whose start time came starts running (`campaign.started`);
2. placed attempts whose call is over get their outcome (outcomes.settle_placed), freeing their slots;
3. attempts whose fate is unknown are recovered: `claimed` ones left by a lost worker were never sent (deleted,
   the lead is pending again); `dialing` ones older than STALE_DIALING (the worker died while sending) and
   `unknown` ones (a timeout or a 5xx) older than UNKNOWN_GRACE are looked up on the platform by our metadata
   (`find_call_by_metadata`): found → placed; not found → failed, and the retry rules decide;
4. billing (a lapsed grace period pauses the campaign) and the end time;
5. the claim, in one transaction: the campaign row is locked first (a conditional UPDATE of the running
   campaign: a row lock on PostgreSQL, the database's write lock on SQLite), then the in-flight leads are counted
   and at most `max_concurrent - in_flight` due pending leads are claimed (PostgreSQL `FOR UPDATE SKIP LOCKED`;
   on SQLite a conditional `UPDATE … WHERE state = 'pending'`), each with a `claimed` attempt row. Two
   dispatchers of the same campaign therefore claim one after the other, the second counting what the first
   claimed: together they never exceed the cap. Leads outside their calling window are pushed to its next
   opening; leads whose number is on the do-not-call list become `skipped_dnc`. Committed before any dial;
6. each claimed attempt: the do-not-call list is checked again (the moment of dialing), the attempt moves to
   `dialing` (a conditional update, committed), then ONE request is sent (`OutboundDialer.dial`, no transport
   retry), then `placed` with the platform's call id, or: the key refused or the caller number / agent refused →
   the campaign pauses with the reason (the attempts not sent yet are released); the callee's number refused →
   the lead is done (`invalid`); the platform's answer lost → `unknown` (reconciled by step 3 of a later pass,
   never dialed again blindly).
Between 3 and 4, attempts still open `campaign_call_timeout_minutes` after their dial are asked about once more and,
if still not over, failed with the reason `timeout` (services/campaigns/timeouts.py): a call that never ends does
not hold a slot forever.

Exactly once: an attempt is sent at most once because only the worker whose conditional update moved it from
`claimed` to `dialing` sends it, and nothing moves an attempt back to `claimed`; a retry of the lead is a new
attempt (n + 1), created only after the previous one is settled (found, or known not placed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from voiceconsole.db import get_engine, is_postgres
from voiceconsole.models import Agent, CallAttempt, Campaign, CampaignLead, Integration, Lead, Organization
from voiceconsole.models.types import id_column, pk, utcnow
from voiceconsole.platforms.connector import Connector, PlatformAuthError, PlatformError
from voiceconsole.platforms.outbound import (
    DialRequest,
    OutboundDialer,
    PlatformRejected,
    VoicemailBehaviour,
    dialer_for,
)
from voiceconsole.services.billing.plans import in_grace_lapse
from voiceconsole.services.campaigns import campaigns as campaign_service
from voiceconsole.services.campaigns import dnc, outcomes, timeouts, windows
from voiceconsole.services.integrations.connectors import connector_for

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=2)  # a claimed attempt not sent by then: its worker is gone
STALE_DIALING = timedelta(minutes=2)  # longer than any dial request may take (the platform timeout)
UNKNOWN_GRACE = timedelta(seconds=30)  # let the platform list a call whose dial answer was lost
SCAN_LIMIT = 500  # due pending leads looked at per pass (those outside their window are pushed on)
CAMPAIGN_LEVEL_FIELDS = (None, "from_number", "platform_agent_id", "metadata")
BILLING_REASON = "Billing: the organization's payment grace period has ended; update the payment method to resume"


@dataclass
class PassResult:
    campaign_id: str
    status: str = ""
    settled: int = 0
    reconciled: int = 0
    timed_out: int = 0
    released: int = 0
    claimed: int = 0
    placed: int = 0
    failed: int = 0
    unknown: int = 0
    skipped_dnc: int = 0
    deferred: int = 0
    paused_reason: str | None = None
    completed: bool = False
    errors: list[str] = field(default_factory=list)


def active_campaign_ids() -> list[int]:
    """Campaigns a pass has work for: scheduled and running ones, and any other with calls still in flight
    (a paused or cancelled campaign's calls still get their outcome)."""
    with Session(get_engine()) as session:
        busy = select(CampaignLead.campaign_id).where(CampaignLead.state == "in_flight").distinct()
        return list(
            session.exec(
                select(id_column(Campaign))
                .where(or_(col(Campaign.status).in_(("scheduled", "running")), col(Campaign.id).in_(busy)))
                .order_by(col(Campaign.id))
            )
        )


def dispatch_all(now: datetime | None = None) -> list[PassResult]:
    results = []
    for campaign_id in active_campaign_ids():
        try:
            results.append(dispatch_campaign(campaign_id, now=now))
        except Exception:  # one campaign's trouble must not stop the others
            log.exception("campaign %s: dispatch pass failed", campaign_id)
    return results


def _dialer(integration: Integration) -> tuple[Connector, OutboundDialer]:
    connector = connector_for(integration)
    return connector, dialer_for(connector)


def dispatch_campaign(campaign_id: int, *, now: datetime | None = None) -> PassResult:
    """One pass over one campaign (see the module docstring)."""
    now = now or utcnow()
    with Session(get_engine(), expire_on_commit=False) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            return PassResult(campaign_id=str(campaign_id), status="missing")
        result = PassResult(campaign_id=campaign.public_id)
        if campaign.status == "scheduled" and (campaign.starts_at is None or campaign.starts_at <= now):
            started = session.exec(
                update(Campaign)
                .where(col(Campaign.id) == campaign_id, col(Campaign.status) == "scheduled")
                .values(status="running")
            ).rowcount
            if started:
                session.refresh(campaign)
                campaign.started_at = None
                campaign_service.mark_running(session, campaign, now)
            session.commit()
        integration = session.get(Integration, campaign.integration_id)
        agent = session.get(Agent, campaign.agent_id)
        org = session.get(Organization, campaign.organization_id)
    result.status = campaign.status
    if integration is None or agent is None or org is None:
        _pause(campaign, "The campaign's agent or integration is gone", result)
        return result
    try:
        connector, dialer = _dialer(integration)
    except Exception as exc:  # noqa: BLE001 (an unsafe base URL, an unknown platform)
        _pause(campaign, f"Cannot reach {integration.platform}: {exc}", result)
        return result
    result.settled = outcomes.settle_placed(campaign_id, dialer=dialer, connector=connector, now=now)
    result.released, result.reconciled = _recover(campaign, agent, dialer, now)
    result.timed_out = timeouts.time_out_stuck(campaign, agent, dialer=dialer, connector=connector, now=now)
    with Session(get_engine(), expire_on_commit=False) as session:
        campaign = session.get(Campaign, campaign_id) or campaign
        if campaign.status == "running" and result.settled + result.reconciled + result.timed_out:
            if campaign_service.complete_if_done(session, campaign, now=now):
                result.completed = True
            session.commit()
    result.status = campaign.status
    if campaign.status != "running":
        return result
    if campaign.ends_at is not None and campaign.ends_at <= now:
        with Session(get_engine()) as session:
            result.completed = campaign_service.complete_if_done(session, campaign, now=now, ended=True)
            session.commit()
        return result
    if in_grace_lapse(org, now):
        _pause(campaign, BILLING_REASON, result)
        return result
    claimed = claim(campaign_id, now=now, result=result)
    for attempt_pk in claimed:
        stop = _dial_one(attempt_pk, campaign, agent, dialer, now, result)
        if stop:
            result.released += _release([a for a in claimed if a != attempt_pk], only_claimed=True)
            break
    with Session(get_engine(), expire_on_commit=False) as session:
        fresh = session.get(Campaign, campaign_id)
        if fresh is not None and fresh.status == "running":
            result.completed = result.completed or campaign_service.complete_if_done(session, fresh, now=now)
            session.commit()
            result.status = fresh.status
        elif fresh is not None:
            result.status = fresh.status
    return result


def _pause(campaign: Campaign, reason: str, result: PassResult) -> None:
    with Session(get_engine()) as session:
        if campaign_service.pause_for(session, campaign, reason):
            result.paused_reason = reason
        session.commit()
    result.status = "paused"


# --------------------------------------------------------------------------------------------------
# Claiming
# --------------------------------------------------------------------------------------------------


def in_flight(session: Session, campaign_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(CampaignLead)
        .where(CampaignLead.campaign_id == campaign_id, CampaignLead.state == "in_flight")
    ).one()


def claim(campaign_id: int, *, now: datetime, result: PassResult | None = None) -> list[int]:
    """Claim due leads up to the cap in one transaction (see the module docstring); the attempts' row ids."""
    result = result or PassResult(campaign_id=str(campaign_id))
    claimed: list[int] = []
    with Session(get_engine(), expire_on_commit=False) as session:
        # The lock: only a running campaign, one dispatcher at a time from here to the commit.
        locked = session.exec(
            update(Campaign)
            .where(col(Campaign.id) == campaign_id, col(Campaign.status) == "running")
            .values(dispatched_at=now)
        ).rowcount
        if not locked:
            session.rollback()
            return []
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        slots = campaign.max_concurrent - in_flight(session, campaign_id)
        if slots <= 0:
            session.commit()
            return []
        window = campaign_service.window_of(campaign)
        due = (
            select(CampaignLead, Lead)
            .join(Lead, col(Lead.id) == col(CampaignLead.lead_id))
            .where(
                CampaignLead.campaign_id == campaign_id,
                CampaignLead.state == "pending",
                or_(col(CampaignLead.next_attempt_at).is_(None), col(CampaignLead.next_attempt_at) <= now),
            )
            .order_by(
                col(CampaignLead.next_attempt_at).is_not(None), col(CampaignLead.next_attempt_at), col(CampaignLead.id)
            )
            .limit(SCAN_LIMIT)
        )
        if is_postgres(session):
            due = due.with_for_update(skip_locked=True, of=CampaignLead)
        rows = list(session.exec(due))
        listed = dnc.listed_among(session, org_id=campaign.organization_id, numbers=[lead.phone for _, lead in rows])
        for row, lead in rows:
            if len(claimed) >= slots:
                break
            if lead.phone in listed or lead.status == "do_not_call":
                row.state, row.updated_at = "skipped_dnc", now
                session.add(row)
                result.skipped_dnc += 1
                continue
            if not windows.is_open(window, now, lead.timezone):
                row.next_attempt_at, row.updated_at = windows.next_opening(window, now, lead.timezone), now
                session.add(row)
                result.deferred += 1
                continue
            taken = session.exec(
                update(CampaignLead)
                .where(col(CampaignLead.id) == row.id, col(CampaignLead.state) == "pending")
                .values(state="in_flight", attempts=CampaignLead.attempts + 1, updated_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not taken:
                continue
            attempt = CallAttempt(
                organization_id=campaign.organization_id,
                campaign_id=campaign_id,
                lead_id=pk(lead),
                n=row.attempts + 1,
                status="claimed",
                to_number=lead.phone,
                created_at=now,
                updated_at=now,
            )
            session.add(attempt)
            if lead.status in ("new", "queued"):
                lead.status, lead.updated_at = "in_progress", now
                session.add(lead)
            session.flush()
            claimed.append(pk(attempt))
        session.commit()
    result.claimed += len(claimed)
    return claimed


def _release(attempt_pks: list[int], *, only_claimed: bool) -> int:
    """Give back attempts that were never sent: the attempt is deleted and its lead is pending again."""
    released = 0
    with Session(get_engine()) as session:
        for attempt_pk in attempt_pks:
            attempt = session.get(CallAttempt, attempt_pk)
            if attempt is None or (only_claimed and attempt.status != "claimed"):
                continue
            gone = session.exec(
                delete(CallAttempt).where(col(CallAttempt.id) == attempt_pk, col(CallAttempt.status) == "claimed")
            ).rowcount
            if not gone:
                continue
            session.exec(
                update(CampaignLead)
                .where(
                    col(CampaignLead.campaign_id) == attempt.campaign_id,
                    col(CampaignLead.lead_id) == attempt.lead_id,
                    col(CampaignLead.state) == "in_flight",
                )
                .values(state="pending", attempts=CampaignLead.attempts - 1, updated_at=utcnow())
            )
            released += 1
        session.commit()
    return released


# --------------------------------------------------------------------------------------------------
# Dialing
# --------------------------------------------------------------------------------------------------


def variables_for(campaign: Campaign, lead: Lead) -> dict[str, str]:
    out = {}
    for name, source in (campaign.variables or {}).items():
        if source.startswith("custom."):
            value = (lead.custom_fields or {}).get(source.removeprefix("custom."))
        else:
            value = getattr(lead, source, None)
        out[name] = "" if value is None else str(value)
    return out


def request_for(campaign: Campaign, agent: Agent, lead: Lead, attempt: CallAttempt) -> DialRequest:
    voicemail = (
        VoicemailBehaviour("leave_message", campaign.voicemail_message or "")
        if campaign.leave_voicemail and campaign.voicemail_message
        else (None if campaign.leave_voicemail else VoicemailBehaviour("hang_up"))
    )
    return DialRequest(
        platform_agent_id=agent.platform_agent_id,
        from_number=campaign.caller_number,
        to_number=attempt.to_number,
        metadata={"lead_id": lead.public_id, "attempt_id": attempt.public_id, "campaign_id": campaign.public_id},
        dynamic_variables=variables_for(campaign, lead),
        voicemail=voicemail,
    )


def _dial_one(
    attempt_pk: int, campaign: Campaign, agent: Agent, dialer: OutboundDialer, now: datetime, result: PassResult
) -> bool:
    """Send one claimed attempt. True when the pass must stop (the campaign paused, or the platform is down)."""
    with Session(get_engine(), expire_on_commit=False) as session:
        attempt = session.get(CallAttempt, attempt_pk)
        lead = session.get(Lead, attempt.lead_id) if attempt else None
        if attempt is None or lead is None or attempt.status != "claimed":
            return False
        if dnc.is_listed(session, org_id=campaign.organization_id, phone=attempt.to_number):  # the moment of dialing
            session.exec(delete(CallAttempt).where(col(CallAttempt.id) == attempt_pk))
            session.exec(
                update(CampaignLead)
                .where(col(CampaignLead.campaign_id) == campaign.id, col(CampaignLead.lead_id) == lead.id)
                .values(state="skipped_dnc", attempts=CampaignLead.attempts - 1, updated_at=now)
            )
            session.commit()
            result.skipped_dnc += 1
            return False
        sending = session.exec(
            update(CallAttempt)
            .where(col(CallAttempt.id) == attempt_pk, col(CallAttempt.status) == "claimed")
            .values(status="dialing", dialed_at=now, updated_at=now)
        ).rowcount
        session.commit()
        if not sending:
            return False
        request = request_for(campaign, agent, lead, attempt)
    try:
        placed = dialer.dial(request)
    except PlatformAuthError as exc:
        _not_placed(attempt_pk, f"{dialer.platform} refused the API key", now)
        result.failed += 1
        _pause(campaign, f"{dialer.platform.capitalize()} refused the API key ({exc.message})", result)
        return True
    except PlatformRejected as exc:
        if exc.field in CAMPAIGN_LEVEL_FIELDS:
            what = {"from_number": "the caller number", "platform_agent_id": "the agent"}.get(
                exc.field or "", "the call"
            )
            _not_placed(attempt_pk, exc.message, now)
            result.failed += 1
            _pause(campaign, f"{dialer.platform.capitalize()} refused {what}: {exc.message}", result)
            return True
        _callee_refused(attempt_pk, campaign, exc.message, now)
        result.failed += 1
        return False
    except (PlatformError, OSError) as exc:  # the result is unknown: reconciled by a later pass, never resent
        _mark(attempt_pk, "unknown", now, reason=str(exc)[:200])
        result.unknown += 1
        return True
    _mark(attempt_pk, "placed", now, platform_call_id=placed.platform_call_id)
    result.placed += 1
    return False


def _mark(
    attempt_pk: int, status: str, now: datetime, *, platform_call_id: str | None = None, reason: str | None = None
) -> None:
    values: dict[str, object] = {"status": status, "updated_at": now}
    if platform_call_id is not None:
        values["platform_call_id"] = platform_call_id
    if reason is not None:
        values["outcome_reason"] = reason
    with Session(get_engine()) as session:
        session.exec(
            update(CallAttempt)
            .where(col(CallAttempt.id) == attempt_pk, col(CallAttempt.status).in_(("dialing", "unknown")))
            .values(**values)
        )
        session.commit()


def _not_placed(attempt_pk: int, reason: str, now: datetime) -> None:
    """A dial the platform refused for a campaign-level reason: no call, and the lead is not charged an
    attempt (it is pending again, tried once the campaign is fixed and resumed)."""
    with Session(get_engine()) as session:
        attempt = session.get(CallAttempt, attempt_pk)
        if attempt is None:
            return
        session.exec(
            update(CallAttempt)
            .where(col(CallAttempt.id) == attempt_pk)
            .values(status="failed", outcome="failed", outcome_reason=reason[:200], ended_at=now, updated_at=now)
        )
        session.exec(
            update(CampaignLead)
            .where(
                col(CampaignLead.campaign_id) == attempt.campaign_id,
                col(CampaignLead.lead_id) == attempt.lead_id,
                col(CampaignLead.state) == "in_flight",
            )
            .values(state="pending", updated_at=now)
        )
        session.commit()


def _callee_refused(attempt_pk: int, campaign: Campaign, reason: str, now: datetime) -> None:
    """The platform refused the lead's own number: no call, the lead is done and marked invalid."""
    with Session(get_engine()) as session:
        attempt = session.get(CallAttempt, attempt_pk)
        fresh = session.get(Campaign, campaign.id)
        if attempt is None or fresh is None:
            return
        session.exec(
            update(CallAttempt)
            .where(col(CallAttempt.id) == attempt_pk)
            .values(status="failed", outcome="failed", outcome_reason=reason[:200], ended_at=now, updated_at=now)
        )
        session.exec(
            update(CampaignLead)
            .where(col(CampaignLead.campaign_id) == campaign.id, col(CampaignLead.lead_id) == attempt.lead_id)
            .values(state="done", last_outcome="invalid_number", updated_at=now)
        )
        session.exec(update(Lead).where(col(Lead.id) == attempt.lead_id).values(status="invalid", updated_at=now))
        session.commit()


# --------------------------------------------------------------------------------------------------
# Recovering from lost workers and lost answers
# --------------------------------------------------------------------------------------------------


def _recover(campaign: Campaign, agent: Agent, dialer: OutboundDialer, now: datetime) -> tuple[int, int]:
    with Session(get_engine()) as session:
        stale_claims = list(
            session.exec(
                select(CallAttempt.id).where(
                    CallAttempt.campaign_id == campaign.id,
                    CallAttempt.status == "claimed",
                    col(CallAttempt.updated_at) < now - STALE_CLAIM,
                )
            )
        )
        lost = list(
            session.exec(
                select(CallAttempt).where(
                    CallAttempt.campaign_id == campaign.id,
                    or_(
                        (col(CallAttempt.status) == "dialing") & (col(CallAttempt.updated_at) < now - STALE_DIALING),
                        (col(CallAttempt.status) == "unknown") & (col(CallAttempt.updated_at) < now - UNKNOWN_GRACE),
                    ),
                )
            )
        )
    released = _release([i for i in stale_claims if i is not None], only_claimed=True)
    reconciled = sum(1 for attempt in lost if _reconcile(attempt, campaign, agent, dialer, now))
    return released, reconciled


def _reconcile(attempt: CallAttempt, campaign: Campaign, agent: Agent, dialer: OutboundDialer, now: datetime) -> bool:
    """Ask the platform whether the attempt's call exists (by our metadata); never dial it again."""
    with Session(get_engine()) as session:  # take it: one reconciler per attempt (optimistic, on updated_at)
        mine = session.exec(
            update(CallAttempt)
            .where(
                col(CallAttempt.id) == attempt.id,
                col(CallAttempt.status) == attempt.status,
                col(CallAttempt.updated_at) == attempt.updated_at,
            )
            .values(updated_at=now)
        ).rowcount
        session.commit()
    if not mine:
        return False
    try:
        found = dialer.find_call_by_metadata(
            attempt.public_id,
            platform_agent_id=agent.platform_agent_id,
            to_number=attempt.to_number,
            since=attempt.created_at,
        )
    except PlatformError as exc:
        log.info("attempt %s: cannot reconcile yet: %s", attempt.public_id, exc)
        return False
    with Session(get_engine()) as session:
        if found:
            session.exec(
                update(CallAttempt)
                .where(col(CallAttempt.id) == attempt.id, col(CallAttempt.status).in_(("dialing", "unknown")))
                .values(status="placed", platform_call_id=found, updated_at=now)
            )
        else:
            fresh = session.get(CallAttempt, attempt.id)
            campaign_row = session.get(Campaign, campaign.id)
            if fresh is None or campaign_row is None:
                return False
            outcomes.record_outcome(
                session,
                attempt=fresh,
                campaign=campaign_row,
                kind="failed",
                reason="The dial's result was lost and the platform has no such call",
                placed=False,
                now=now,
            )
        session.commit()
    return True
