"""What became of a dial: the call's outcome, the retry rules, conversions and the campaign's completion.

A placed attempt is settled once its call is over: the dispatcher asks the platform for the call (by the id the
dial answered), stores it as any synced call (so it is scored and shown, and linked to the attempt by `call_id`),
and reads the outcome with the platform's own end reason (`OutboundDialer.outcome`). A call that arrived earlier by
webhook or sync is the same row (one per platform call id), so linking never depends on which came first.

Retry rules: an outcome the campaign retries (`retry_outcomes`) sends the lead back to `pending`, due after
`retry_delay_minutes` (then inside its calling window), until `max_attempts` are made (then `exhausted`). An
answered call ends the lead (`done`), converted when the campaign's success rule says so (`lead.converted`).

A person who asks on the call not to be called again (scoring/do_not_call.py reads the caller's words) is put
on the do-not-call list then and there (`honour_do_not_call`): whichever way the call came in (webhook, sync or
the dispatcher's own read), it is settled here, once, so it is honoured once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from voiceconsole.db import get_engine
from voiceconsole.models import Call, CallAttempt, Campaign, CampaignLead, Lead, Organization
from voiceconsole.models.types import utcnow
from voiceconsole.platforms.base import CallRecord
from voiceconsole.platforms.connector import Connector, PlatformError
from voiceconsole.platforms.outbound import OutboundDialer
from voiceconsole.scoring.do_not_call import asks_not_to_be_called
from voiceconsole.scoring.outcome import TRANSFER, classify_end_reason
from voiceconsole.scoring.scorer import ScoringInput, score_call
from voiceconsole.services.access.actor import SYSTEM
from voiceconsole.services.campaigns import campaigns as campaign_service
from voiceconsole.services.campaigns import dnc
from voiceconsole.services.campaigns.events import record_lead_converted
from voiceconsole.services.intake.store import store_calls

log = logging.getLogger(__name__)
ANALYSIS_WAIT = timedelta(minutes=10)  # an answered Retell call waits this long for its analysis (success flag)
SCORER_SUCCESS_MIN = 70  # the scorer's outcome category (0–100) at which a call counts as a conversion
OPEN_LEAD_STATUSES = ("new", "queued", "in_progress")


def is_success(rule: dict[str, Any], record: CallRecord) -> bool:
    """The campaign's success rule on an ended call: its success flag, a post-call data field being true, a
    transfer (the end reason), or the scorer's outcome category at least `min` (the same local scorer that scores
    the call; it reads the platform's success flag first, then the transcript's evidence)."""
    if rule.get("kind") == "transferred":
        return classify_end_reason(record.end_reason) == TRANSFER
    if rule.get("kind") == "scorer":
        outcome = score_call(ScoringInput.from_record(record)).breakdown.get("outcome") or {}
        return int(outcome.get("score") or 0) >= int(rule.get("min") or SCORER_SUCCESS_MIN)
    if rule.get("kind") == "field":
        name = str(rule.get("field") or "")
        analysis = record.analysis or {}
        for scope in (
            analysis.get("custom_analysis_data"),  # Retell post-call analysis
            analysis.get("structuredData"),  # Vapi structured data
            analysis,
        ):
            if isinstance(scope, dict) and name in scope:
                return scope[name] is True or str(scope[name]).strip().lower() == "true"
        return False
    return record.successful is True


def record_outcome(
    session: Session,
    *,
    attempt: CallAttempt,
    campaign: Campaign,
    kind: str,
    reason: str | None,
    converted: bool = False,
    call_id: int | None = None,
    placed: bool = True,
    now: datetime | None = None,
) -> bool:
    """Record how an attempt ended and move its lead on by the retry rules. Once per attempt (a conditional
    update): False when it was recorded already. The caller commits."""
    now = now or utcnow()
    done = session.exec(
        update(CallAttempt)
        .where(col(CallAttempt.id) == attempt.id, col(CallAttempt.status).in_(("placed", "unknown", "dialing")))
        .values(
            status="ended" if placed else "failed",
            outcome=kind,
            outcome_reason=(reason or None) and str(reason)[:200],
            converted=converted,
            call_id=call_id,
            ended_at=now,
            updated_at=now,
        )
    ).rowcount
    if not done:
        return False
    row = session.exec(
        select(CampaignLead).where(
            CampaignLead.campaign_id == attempt.campaign_id, CampaignLead.lead_id == attempt.lead_id
        )
    ).one()
    lead = session.get(Lead, attempt.lead_id)
    row.last_outcome = kind
    row.updated_at = now
    row.next_attempt_at = None
    if converted:
        row.state, row.converted = "done", True
    elif kind == "answered":
        row.state = "done"
    elif kind in campaign.retry_outcomes and row.attempts < campaign.max_attempts:
        row.state = "pending"
        row.next_attempt_at = now + timedelta(minutes=campaign.retry_delay_minutes)
    elif kind in campaign.retry_outcomes:
        row.state = "exhausted"
    else:
        row.state = "done"
    session.add(row)
    if lead is not None and lead.status in OPEN_LEAD_STATUSES:
        if converted:
            lead.status = "converted"
        elif kind == "answered":
            lead.status = "contacted"
        elif row.state == "pending":
            lead.status = "queued"
        else:
            lead.status = "contacted" if kind == "voicemail" else "new"
        lead.updated_at = now
        session.add(lead)
    if converted and lead is not None:
        record_lead_converted(session, lead=lead, campaign=campaign, attempt=attempt)
    return True


def caller_turns(record: CallRecord) -> list[str]:
    """What the person called said: the record's caller turns, else the "User:" lines of its transcript."""
    said = [t.text for t in record.turns if t.role == "user" and t.text]
    if said or not record.transcript:
        return said
    return [line[5:] for line in record.transcript.splitlines() if line.startswith("User:")]


def honour_do_not_call(session: Session, *, attempt: CallAttempt, org: Organization, record: CallRecord) -> bool:
    """The person asked on this call not to be called again: the number goes on the do-not-call list (source
    "call", the words as the reason), its lead is marked `do_not_call` and `lead.do_not_call` is recorded once
    (by dnc.add_number, for a lead not marked yet). True if the call asked."""
    said = asks_not_to_be_called(caller_turns(record))
    if said is None:
        return False
    dnc.add_number(
        session,
        org=org,
        actor=SYSTEM,
        phone=attempt.to_number,
        reason=f'Asked on a campaign call: "{said}"',
        source="call",
        attempt=attempt,
    )
    return True


def settle_placed(campaign_id: int, *, dialer: OutboundDialer, connector: Connector, now: datetime) -> int:
    """Record the outcome of every placed attempt of the campaign whose call is over. Returns how many."""
    with Session(get_engine()) as session:
        placed = list(
            session.exec(
                select(CallAttempt).where(CallAttempt.campaign_id == campaign_id, CallAttempt.status == "placed")
            )
        )
    settled = 0
    for attempt in placed:
        if not attempt.platform_call_id:
            continue
        try:
            record = connector.get_call(attempt.platform_call_id)
        except PlatformError as exc:
            log.info("campaign %s: call %s not readable yet: %s", campaign_id, attempt.platform_call_id, exc)
            continue
        if settle_from_record(attempt.id or 0, record, dialer=dialer, now=now):
            settled += 1
    return settled


def settle_from_record(attempt_pk: int, record: CallRecord, *, dialer: OutboundDialer, now: datetime) -> bool:
    """Store the call, link it to the attempt and record the outcome, if the call is over."""
    outcome = dialer.outcome(record)
    if outcome.kind is None:
        return False
    ended = record.ended_at or now
    if (
        outcome.kind == "answered"
        and record.platform == "retell"
        and not record.analysis
        and now - ended < ANALYSIS_WAIT
    ):
        return False  # the success flag comes with the analysis
    with Session(get_engine()) as session:
        # Take the attempt first (a write: SQLite's write lock is held from here, so the reads below cannot go
        # stale against another dispatcher settling the same attempt; the second finds it settled).
        taken = session.exec(
            update(CallAttempt)
            .where(col(CallAttempt.id) == attempt_pk, col(CallAttempt.status) == "placed")
            .values(updated_at=now)
        ).rowcount
        attempt = session.get(CallAttempt, attempt_pk) if taken else None
        if attempt is None:
            session.rollback()
            return False
        campaign = session.get(Campaign, attempt.campaign_id)
        org = session.get(Organization, attempt.organization_id)
        if campaign is None or org is None:
            return False
        try:
            with session.begin_nested():
                store_calls(session, org=org, records=[record], integration_id=campaign.integration_id)
        except Exception:
            log.exception("campaign %s: could not store call %s", campaign.public_id, record.platform_call_id)
        call_id = session.exec(
            select(Call.id).where(
                Call.organization_id == org.id,
                Call.platform == record.platform,
                Call.platform_call_id == record.platform_call_id,
            )
        ).first()
        recorded = record_outcome(
            session,
            attempt=attempt,
            campaign=campaign,
            kind=outcome.kind,
            reason=outcome.reason,
            converted=outcome.kind == "answered" and is_success(campaign.success_rule, record),
            call_id=call_id,
            now=now,
        )
        if recorded:
            honour_do_not_call(session, attempt=attempt, org=org, record=record)
            campaign_service.complete_if_done(session, campaign, now=now)
        session.commit()
        return recorded
