"""Calls that never end: a placed attempt whose call the platform never reports over (no webhook, and every
read says it is still ringing or ongoing, or cannot be read) would hold one of the campaign's concurrent slots
forever. After `campaign_call_timeout_minutes` (settings, default 30) from its dial, the dispatcher asks the
platform about it one last time (the call by its id, or by our metadata when the id was never learnt): a call
that is over is settled as usual; otherwise the attempt is `failed` with the reason `timeout`, its slot is free,
and the campaign's retry rules for `failed` decide whether the lead is tried again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from voiceconsole.db import get_engine
from voiceconsole.models import Agent, CallAttempt, Campaign
from voiceconsole.models.types import pk
from voiceconsole.platforms.connector import Connector, PlatformError
from voiceconsole.platforms.outbound import OutboundDialer
from voiceconsole.services.campaigns import outcomes
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)
TIMEOUT_REASON = "timeout"
OPEN_STATUSES = ("placed", "unknown", "dialing")


def call_timeout() -> timedelta:
    return timedelta(minutes=get_settings().campaign_call_timeout_minutes)


def time_out_stuck(
    campaign: Campaign, agent: Agent, *, dialer: OutboundDialer, connector: Connector, now: datetime
) -> int:
    """Settle or fail the campaign's attempts still open after the timeout. Returns how many were closed."""
    limit = now - call_timeout()
    with Session(get_engine()) as session:
        stuck = list(
            session.exec(
                select(CallAttempt).where(
                    CallAttempt.campaign_id == campaign.id,
                    col(CallAttempt.status).in_(OPEN_STATUSES),
                    or_(
                        col(CallAttempt.dialed_at) < limit,
                        col(CallAttempt.dialed_at).is_(None) & (col(CallAttempt.created_at) < limit),
                    ),
                )
            )
        )
    return sum(1 for attempt in stuck if _last_look(attempt, campaign, agent, dialer, connector, now))


def _take(attempt: CallAttempt, now: datetime) -> bool:
    """One dispatcher takes the last look (optimistic, on updated_at); any other leaves it."""
    with Session(get_engine()) as session:
        taken = session.exec(
            update(CallAttempt)
            .where(
                col(CallAttempt.id) == attempt.id,
                col(CallAttempt.status) == attempt.status,
                col(CallAttempt.updated_at) == attempt.updated_at,
            )
            .values(updated_at=now)
        ).rowcount
        session.commit()
    return bool(taken)


def _last_look(
    attempt: CallAttempt,
    campaign: Campaign,
    agent: Agent,
    dialer: OutboundDialer,
    connector: Connector,
    now: datetime,
) -> bool:
    if not _take(attempt, now):
        return False
    call_id = attempt.platform_call_id
    try:
        if call_id is None:
            call_id = dialer.find_call_by_metadata(
                attempt.public_id,
                platform_agent_id=agent.platform_agent_id,
                to_number=attempt.to_number,
                since=attempt.created_at,
            )
        if call_id is not None:
            if attempt.status != "placed":
                _placed(attempt, call_id, now)
            if outcomes.settle_from_record(pk(attempt), connector.get_call(call_id), dialer=dialer, now=now):
                return True
    except PlatformError as exc:
        log.info("attempt %s: no answer from the platform at its timeout: %s", attempt.public_id, exc)
    with Session(get_engine()) as session:
        fresh = session.get(CallAttempt, attempt.id)
        row = session.get(Campaign, campaign.id)
        if fresh is None or row is None:
            return False
        failed = outcomes.record_outcome(
            session, attempt=fresh, campaign=row, kind="failed", reason=TIMEOUT_REASON, placed=False, now=now
        )
        session.commit()
    return failed


def _placed(attempt: CallAttempt, call_id: str, now: datetime) -> None:
    with Session(get_engine()) as session:
        session.exec(
            update(CallAttempt)
            .where(col(CallAttempt.id) == attempt.id, col(CallAttempt.status).in_(("dialing", "unknown")))
            .values(status="placed", platform_call_id=call_id, updated_at=now)
        )
        session.commit()
