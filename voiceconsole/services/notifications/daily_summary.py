"""The daily summary (DESIGN.md §6, `daily_summary` events): yesterday's KPIs, once a day per audience.

An audience is an organization's whole portfolio or one of its clients, at one local hour: every
distinct (client filter, summary hour) among the organization's channels subscribed to
`daily_summary` (active or paused: a paused channel gets it on resume). Once the organization's
local time (Organization.timezone; an unknown zone counts as UTC) has reached that hour, one event
is recorded for the local day that just ended, under the dedupe key
`daily_summary:{org id}:{client public id | all}:{local date}:{hour}`, so any number of workers and
ticks make exactly one. Fanning it out to the channels whose client filter and hour match is the
delivery engine's job.

Figures are those of the analytics (`services.analytics.period_totals`, same definitions) over the
local day [00:00, 24:00) in the organization's zone, as a UTC instant range. A local day is not a
UTC day (unless the zone is UTC), so it reads the calls of the two partial UTC days it overlaps on
the (organization, started_at) / (organization, client, started_at) indexes, exactly as the
analytics do for the partial days at the edges of a period; for UTC organizations the whole day is
read from the rollup. Correctness over speed: it runs once a day per audience.

Payload (read by the delivery formatters; keep the keys):
    date            the local day summarized (yesterday, local), YYYY-MM-DD
    timezone        the zone used (UTC when the organization's is unknown)
    hour            the local hour it was due at
    clientId        client public id, or null for the whole organization
    clientName      or null
    calls           calls started that day, any status
    avgScore        mean score of scored calls (no-transcript ones left out), 1 decimal; null if none
    avgScoreChange  avgScore minus the day before's, in points (1 decimal); null if either is null
    successRate     fraction (0–1) of ended calls flagged successful, 3 decimals; null without ended calls
    cost            USD
    worstCalls      up to 3 scored calls of that day, lowest score first (earliest first on ties):
                    {callId, agentName, callScore, summary}
    dashboardUrl    the dashboard (last 7 days), filtered to the client when there is one
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from voiceconsole.models import Agent, Call, Client, Event, Integration, NotificationChannel, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.services.analytics.figures import Scope, period_totals, round_figure, round_rate, sum_totals, usd
from voiceconsole.services.notifications.events import record_event
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)

EVENT_TYPE = "daily_summary"
WORST_CALLS = 3
SUBSCRIBED_STATUSES = ("active", "paused")


def org_zone(org: Organization) -> ZoneInfo:
    """The organization's time zone; an unknown or malformed name falls back to UTC."""
    try:
        return ZoneInfo(org.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        log.warning("organization %s has an unknown time zone %r; using UTC", org.id, org.timezone)
        return ZoneInfo("UTC")


def local_day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day as UTC instants (23 or 25 hours on DST change days)."""
    start = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return start, end


def dedupe_key(org_id: int, client_public_id: str | None, local_date: date, hour: int) -> str:
    return f"{EVENT_TYPE}:{org_id}:{client_public_id or 'all'}:{local_date.isoformat()}:{hour}"


def dashboard_url(client_public_id: str | None) -> str:
    params = {"range": "7d"}
    if client_public_id:
        params["clientId"] = client_public_id
    return f"{get_settings().pages_url}/dashboard?{urlencode(params)}"


def _zone_name(tz: tzinfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def worst_calls(
    session: Session, scope: Scope, start: datetime, end: datetime, limit: int = WORST_CALLS
) -> list[dict[str, Any]]:
    """The lowest-scored calls started in [start, end): scored calls that count in the average only
    (a no-transcript call is scored 0 but left out, as in avgScore)."""
    rows = session.exec(
        select(Call.public_id, Agent.name, Call.score, Call.summary)
        .join(Agent, col(Agent.id) == col(Call.agent_id), isouter=True)
        .where(
            *scope.call_conds(),
            col(Call.started_at) >= start,
            col(Call.started_at) < end,
            col(Call.score).is_not(None),
            col(Call.score_excluded).is_(False),
        )
        .order_by(col(Call.score), col(Call.started_at), col(Call.id))
        .limit(limit)
    ).all()
    return [
        {"callId": pid, "agentName": agent_name, "callScore": score, "summary": summary}
        for pid, agent_name, score, summary in rows
    ]


def build_summary(
    session: Session, *, org: Organization, client_id: int | None, day: date, tz: tzinfo, hour: int | None = None
) -> dict[str, Any]:
    """The `daily_summary` payload for one local day of an organization (client_id: a client's id, or
    None for every client). `hour` is the local hour it is sent at (None when building it alone)."""
    client = session.get(Client, client_id) if client_id is not None else None
    if client_id is not None and (client is None or client.organization_id != org.id):
        raise ValueError(f"client {client_id} is not a client of organization {org.id}")
    scope = Scope(org_id=pk(org), client_id=client_id)
    start, end = local_day_bounds(day, tz)
    prev_start, _ = local_day_bounds(day - timedelta(days=1), tz)
    current = sum_totals(period_totals(session, scope, start, end).values())
    previous = sum_totals(period_totals(session, scope, prev_start, start).values())
    avg, before = current.avg_score, previous.avg_score
    return {
        "date": day.isoformat(),
        "timezone": _zone_name(tz),
        "hour": hour,
        "clientId": client.public_id if client else None,
        "clientName": client.name if client else None,
        "calls": current.calls,
        "avgScore": round_figure(avg),
        "avgScoreChange": round_figure(avg - before) if avg is not None and before is not None else None,
        "successRate": round_rate(current.success_rate),
        "cost": usd(current.cost_usd),
        "worstCalls": worst_calls(session, scope, start, end),
        "dashboardUrl": dashboard_url(client.public_id if client else None),
    }


Audiences = dict[int, set[tuple[int | None, int]]]


def _audiences(session: Session, organization_ids: Iterable[int] | None = None) -> Audiences:
    """organization id → its distinct (client id or None, summary hour) wanting a daily summary."""
    out: Audiences = defaultdict(set)
    q = select(
        NotificationChannel.organization_id,
        NotificationChannel.client_id,
        NotificationChannel.summary_hour,
        NotificationChannel.events,
    ).where(col(NotificationChannel.status).in_(SUBSCRIBED_STATUSES))
    if organization_ids is not None:
        q = q.where(col(NotificationChannel.organization_id).in_(list(organization_ids)))
    rows = session.exec(q).all()
    for org_id, client_id, hour, events in rows:  # events is JSON: filtered here, alike on both databases
        if EVENT_TYPE in (events or []) and hour is not None and 0 <= hour <= 23:
            out[org_id].add((client_id, hour))
    return out


def _insert_once(session: Session, *, org_id: int, key: str, payload: dict[str, Any]) -> bool:
    """Record the event unless its key exists: a savepoint, so a concurrent twin's unique violation
    rolls back only this insert (the other worker's event stands)."""
    try:
        with session.begin_nested():
            event = record_event(session, organization_id=org_id, type=EVENT_TYPE, payload=payload)
            event.dedupe_key = key
            session.flush()
    except IntegrityError:
        log.info("daily summary %s was recorded concurrently", key)
        return False
    return True


FIRST_SYNC_GRACE = timedelta(hours=24)


def _awaiting_first_sync(session: Session, org_ids: list[int], now: datetime) -> set[int]:
    """Organizations with a platform connected in the last day whose first sync has not finished: their
    summary waits for the data (the ticker asks again every few minutes), rather than reporting an
    empty day. After a day, a connection that never synced no longer holds the summary back."""
    rows = session.exec(
        select(Integration.organization_id).where(
            col(Integration.organization_id).in_(org_ids),
            col(Integration.disconnected_at).is_(None),
            col(Integration.last_good_sync_at).is_(None),
            col(Integration.created_at) > now - FIRST_SYNC_GRACE,
        )
    )
    return set(rows)


def record_due_summaries(
    session: Session, now: datetime | None = None, *, organization_ids: Iterable[int] | None = None
) -> int:
    """Record every daily summary that is due and not recorded yet (of these organizations only, when
    given); returns how many were recorded. The caller commits."""
    now = (now or utcnow()).astimezone(UTC)
    audiences = _audiences(session, organization_ids)
    if not audiences:
        return 0
    waiting = _awaiting_first_sync(session, list(audiences), now)
    orgs = {
        o.id: o
        for o in session.exec(select(Organization).where(col(Organization.id).in_(list(audiences))))
        if o.id not in waiting
    }
    client_ids = sorted({c for wanted in audiences.values() for c, _ in wanted if c is not None})
    clients = (
        {c.id: c for c in session.exec(select(Client).where(col(Client.id).in_(client_ids)))} if client_ids else {}
    )

    due: list[tuple[Organization, ZoneInfo, int | None, int, date, str]] = []
    for org_id in sorted(audiences):
        org = orgs.get(org_id)
        if org is None:
            continue
        tz = org_zone(org)
        local_now = now.astimezone(tz)
        for client_id, hour in sorted(audiences[org_id], key=lambda a: (a[1], a[0] or 0)):
            if local_now.hour < hour:
                continue  # not yet today
            client = clients.get(client_id) if client_id is not None else None
            if client_id is not None and (client is None or client.organization_id != org_id):
                continue  # the client is gone; its channels' filter no longer matches anything
            local_date = local_now.date()
            due.append(
                (
                    org,
                    tz,
                    client_id,
                    hour,
                    local_date,
                    dedupe_key(org_id, client.public_id if client else None, local_date, hour),
                )
            )
    if not due:
        return 0

    existing = set(session.exec(select(Event.dedupe_key).where(col(Event.dedupe_key).in_([d[-1] for d in due]))).all())
    recorded = 0
    for org, tz, client_id, hour, local_date, key in due:
        if key in existing:
            continue
        payload = build_summary(
            session, org=org, client_id=client_id, day=local_date - timedelta(days=1), tz=tz, hour=hour
        )
        if _insert_once(session, org_id=pk(org), key=key, payload=payload):
            recorded += 1
    return recorded
