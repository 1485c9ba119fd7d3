"""Calls seen unfinished, brought to their final state: the open-call poll.

A call stored while it was still going on (a sync caught it mid-call) ends on the platform minutes later.
A webhook brings the ended call at once where one is set up; for platforms or set-ups without webhooks
(and as the safety net when a delivery is lost) every minute a worker asks the platform for each open call
again, one get-call request each (Retell `GET /v2/get-call/{id}`, Vapi `GET /call/{id}`, ElevenLabs
`GET /v1/convai/conversations/{id}`), and stores the answer through `store_calls`, as a sync page is
stored: a call that ended is scored at once, its agent's stats recomputed. jobs/open_calls.py runs it;
`enqueue.open_call_polls` asks for it from the scheduler's ticker.

Open calls are those in progress, and Retell calls that ended without their analysis yet (Retell sends it
after the call, with call_analyzed; the score waits for it) for `ANALYSIS_WAIT` after they ended.

Promises:
- Bounded: at most `MAX_CALLS_PER_RUN` platform requests per integration per run, within
  `TIME_BUDGET_S`, the calls refreshed longest ago first (each request refreshes the call), so no open
  call waits behind the others for long; requests are retried less than a sync's (`POLL_RETRY`): the next
  run is a minute away.
- Given up: a call still in progress `GIVE_UP_AFTER` (6 hours) after it started is no longer asked for:
  it is marked `error` with end reason `no_end_reported` (its platform status stays as last seen). One
  the platform no longer knows (404) is marked so at once, with end reason `not_found_on_platform`. A
  later delivery of the call (a webhook, a sync) still replaces that with what the platform says.
- Tenant-safe: an integration's run reads and writes only the calls it stored, of its own organization.
- Only connected integrations are asked (a disconnected one is skipped without a request), and never
  beside a sync of the same integration: the run takes the integration's sync lock without waiting and
  skips this round while a sync holds it (that sync fetches open calls again itself).
- Never backwards: a call fetched still in progress is not stored over one that ended meanwhile (a webhook
  came in), nor a call without analysis over one with it.
- A platform error (refused key, platform down) ends that integration's run, keeping what was fetched
  before it, and is logged; the integration's status is left to its sync. Each integration runs in its
  own job, so one failing never holds up the others.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from voiceconsole import enqueue
from voiceconsole.db import after_commit, session_scope
from voiceconsole.models import Call, Integration, Organization
from voiceconsole.models.types import id_column, pk, utcnow
from voiceconsole.platforms.base import CallRecord
from voiceconsole.platforms.connector import PlatformError, RetryPolicy
from voiceconsole.services.analytics.rollups import refresh_rollups_for_calls
from voiceconsole.services.intake.store import store_calls
from voiceconsole.services.intake.sync import sync_lock_if_free
from voiceconsole.services.integrations import connector_for
from voiceconsole.services.net_guard import UnsafeTarget

log = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(hours=6)  # platforms end calls long before: Retell's default limit is 1 hour
ANALYSIS_WAIT = timedelta(hours=1)  # a Retell call's analysis usually follows its end within seconds
MAX_CALLS_PER_RUN = 50
MAX_GIVE_UPS_PER_RUN = 1000
TIME_BUDGET_S = 40.0
POLL_RETRY = RetryPolicy(retries=1, backoff_s=0.5, max_backoff_s=5.0, max_total_wait_s=10.0, timeout_s=15.0)
# End reasons of the calls given up on (status "error"): no end came in time, or the platform lost the call.
NO_END_REPORTED = "no_end_reported"
NOT_FOUND_ON_PLATFORM = "not_found_on_platform"


@dataclass
class PollResult:
    integration_id: int
    status: str = "done"  # done | skipped (disconnected, or its sync is running) | error
    reason: str | None = None
    polled: int = 0  # platform requests answered
    ended: int = 0  # calls the platform now says are over
    still_open: int = 0
    gave_up: int = 0
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "integrationId": self.integration_id,
            "status": self.status,
            "reason": self.reason,
            "polled": self.polled,
            "ended": self.ended,
            "stillOpen": self.still_open,
            "gaveUp": self.gave_up,
            "error": self.error,
        }


def open_call_filter(now: datetime) -> ColumnElement[bool]:
    """Calls the poll asks about: in progress, or Retell calls ended lately whose analysis is not in yet
    (not scored: the scorer waits for it). Both read through the (organization, status, started_at) index."""
    return or_(
        col(Call.status) == "in_progress",
        and_(
            col(Call.platform) == "retell",
            col(Call.status) == "ended",
            col(Call.started_at) >= now - GIVE_UP_AFTER - ANALYSIS_WAIT,  # the index range
            col(Call.scored_at).is_(None),
            col(Call.ended_at) >= now - ANALYSIS_WAIT,
        ),
    )


def integrations_with_open_calls(session: Session, *, now: datetime | None = None) -> list[int]:
    """The connected integrations that stored a call still open."""
    moment = now or utcnow()
    has_open = exists().where(
        col(Call.organization_id) == col(Integration.organization_id),
        col(Call.integration_id) == id_column(Integration),
        open_call_filter(moment),
    )
    return list(
        session.exec(
            select(id_column(Integration))
            .where(col(Integration.disconnected_at).is_(None), has_open)
            .order_by(id_column(Integration))
        )
    )


def poll_open_calls(
    integration_id: int,
    *,
    now: datetime | None = None,
    limit: int = MAX_CALLS_PER_RUN,
    retry: RetryPolicy | None = None,
) -> PollResult:
    """Ask the platform about the integration's open calls (at most `limit`) and store what it says; give
    up on those open too long. Skipped while the integration's sync runs, and for a disconnected one."""
    with sync_lock_if_free(integration_id) as lost:
        if lost is None:
            return PollResult(integration_id, status="skipped", reason="its sync is running")
        return _poll(integration_id, now or utcnow(), limit, retry or POLL_RETRY, lost)


def _poll(integration_id: int, now: datetime, limit: int, retry: RetryPolicy, lost: threading.Event) -> PollResult:
    result = PollResult(integration_id)
    with session_scope() as session:
        integration = session.get(Integration, integration_id)
        if integration is None or integration.disconnected_at is not None:
            return PollResult(integration_id, status="skipped", reason="disconnected or deleted")
        org_id = integration.organization_id
        mine = (col(Call.organization_id) == org_id, col(Call.integration_id) == integration_id)
        stale = list(
            session.exec(
                select(id_column(Call))
                .where(*mine, col(Call.status) == "in_progress", col(Call.started_at) < now - GIVE_UP_AFTER)
                .limit(MAX_GIVE_UPS_PER_RUN)
            )
        )
        result.gave_up += _give_up(session, org_id, stale, NO_END_REPORTED, now)
        due = session.exec(
            select(id_column(Call), col(Call.platform_call_id))
            .where(*mine, open_call_filter(now), col(Call.started_at) >= now - GIVE_UP_AFTER)
            .order_by(col(Call.updated_at), id_column(Call))
            .limit(limit)
        ).all()
        try:
            connector = connector_for(integration, retry=retry) if due else None
        except UnsafeTarget as exc:
            result.status, result.error = "error", f"The base URL is not allowed: {exc}"
            log.warning("open-call poll of integration %s: %s", integration_id, result.error)
            return result
    if connector is None:
        return result
    records: list[CallRecord] = []
    gone: list[int] = []
    deadline = time.monotonic() + TIME_BUDGET_S
    with connector:
        for call_id, platform_call_id in due:
            if lost.is_set() or time.monotonic() > deadline:
                break
            try:
                record = connector.get_call(platform_call_id)
            except PlatformError as exc:
                if exc.status_code == 404:
                    gone.append(call_id)
                    continue
                result.status, result.error = "error", exc.message
                log.warning("open-call poll of integration %s stopped: %s", integration_id, exc.message)
                break  # the rest wait for the next run
            except (ValueError, KeyError, TypeError) as exc:  # a call object we cannot map: asked again next run
                log.warning("open-call poll of integration %s: call %s unreadable (%s)", integration_id, call_id, exc)
                continue
            result.polled += 1
            if record.platform_call_id == platform_call_id:
                records.append(record)
    _store(integration_id, records, gone, now, result)
    return result


def _store(integration_id: int, records: list[CallRecord], gone: list[int], now: datetime, result: PollResult) -> None:
    """What the platform said, in one transaction: the calls through `store_calls`, the lost ones given up."""
    if not records and not gone:
        return
    with session_scope() as session:
        integration = session.get(Integration, integration_id, with_for_update=True)  # as a sync page locks it
        if integration is None or integration.disconnected_at is not None:
            result.status, result.reason = "skipped", "disconnected during the poll"
            return
        org = session.get_one(Organization, integration.organization_id)  # exists: the integration's foreign key
        fresh = _not_behind(session, pk(org), integration_id, records)
        if fresh:
            store_calls(session, org=org, records=fresh, integration_id=integration_id)
        result.ended += sum(1 for r in fresh if r.status != "in_progress")
        result.still_open += sum(1 for r in fresh if r.status == "in_progress")
        result.gave_up += _give_up(session, pk(org), gone, NOT_FOUND_ON_PLATFORM, now)


def _not_behind(session: Session, org_id: int, integration_id: int, records: list[CallRecord]) -> list[CallRecord]:
    """The records that are no older than the stored calls: a call that ended since it was selected (a
    webhook) is not made live again, nor is an analysis that came in erased."""
    stored = {
        platform_call_id: (status, bool(analysis))
        for platform_call_id, status, analysis in session.exec(
            select(col(Call.platform_call_id), col(Call.status), col(Call.platform_analysis)).where(
                col(Call.organization_id) == org_id,
                col(Call.integration_id) == integration_id,
                col(Call.platform_call_id).in_([r.platform_call_id for r in records]),
            )
        )
    }
    fresh = []
    for record in records:
        status, analysed = stored.get(record.platform_call_id, ("in_progress", False))
        if record.status == "in_progress" and status != "in_progress":
            continue
        if analysed and not record.analysis:
            continue
        fresh.append(record)
    return fresh


def _give_up(session: Session, org_id: int, call_ids: list[int], reason: str, now: datetime) -> int:
    """Mark calls still in progress as given up on (`error`, with `reason`); how many were."""
    if not call_ids:
        return 0
    agent_ids = set(
        session.exec(
            select(col(Call.agent_id)).where(
                col(Call.organization_id) == org_id,
                id_column(Call).in_(call_ids),
                col(Call.status) == "in_progress",
                col(Call.agent_id).is_not(None),
            )
        )
    )
    changed = session.exec(
        update(Call)
        .where(
            col(Call.organization_id) == org_id,
            id_column(Call).in_(call_ids),
            col(Call.status) == "in_progress",
        )
        .values(status="error", end_reason=reason, updated_at=now)
    ).rowcount
    if changed:
        log.info("gave up on %d open call(s) of organization %s (%s)", changed, org_id, reason)
        refresh_rollups_for_calls(session, call_ids)
        agents = sorted(a for a in agent_ids if a is not None)
        if agents:
            after_commit(session, lambda: enqueue.agent_stats(agents))
    return int(changed or 0)
