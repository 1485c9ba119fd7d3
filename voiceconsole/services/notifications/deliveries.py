"""Outbound notifications (DESIGN.md §6): what the API and the UI call.

How an event travels: services record it (services/events.py, the outbox) → after the commit the
notify queue fans it out into one delivery per interested channel (notification_fanout.py) → a pump
sends what is due, signs webhooks, formats Slack/Discord/email, retries with backoff and pauses
failing channels (notification_engine.py). The delivery rows are the source of truth: a lost job
or a dead worker delays a notification, it never loses or repeats one.

Public functions (the UI codes against these names):
- `send_test_event(session, *, org, channel_id, actor) -> str`
- `list_deliveries(session, *, org, channel_id, actor, page=1, per_page=20, status=None)`
- `resume_channel(session, *, org, channel_id, actor) -> ChannelOut`
`send_test_event` and `resume_channel` leave committing to the caller; once the caller commits, the
pump is asked for automatically (the session's after-commit hook, see services/events.py).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from voiceconsole.models import Client, Delivery, DeliveryAttempt, Event, Organization
from voiceconsole.models.notifications import DELIVERY_STATUSES
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas import ChannelOut, DeliveryAttemptOut, DeliveryOut
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import require
from voiceconsole.services.errors import Conflict, ValidationFailed
from voiceconsole.services.notifications.channels import find_channel, get_channel
from voiceconsole.services.notifications.daily_summary import org_zone
from voiceconsole.services.notifications.events import mark_for_notify
from voiceconsole.services.notifications.format import sample_payload

log = logging.getLogger(__name__)
MAX_PER_PAGE = 100


def _local_date(org: Organization) -> str:
    return datetime.now(org_zone(org)).date().isoformat()


def send_test_event(session: Session, *, org: Organization, channel_id: str, actor: Actor) -> str:
    """A sample of the channel's first event type, marked `"test": true`, delivered to this channel only.

    The event is created already dispatched, with its one delivery; returns its `evt_…` id."""
    require(actor, "channels.manage")
    channel = find_channel(session, org=org, channel_id=channel_id)
    if channel.status != "active":
        raise Conflict("This channel is paused: resume it to send a test event")
    event_type = (channel.events or ["call.completed"])[0]
    client = session.get(Client, channel.client_id) if channel.client_id else None
    payload = sample_payload(
        event_type,
        client_id=client.public_id if client else None,
        client_name=client.name if client else None,
        summary_hour=channel.summary_hour,
        timezone=org.timezone or "UTC",
        date=_local_date(org),
    )
    if event_type == "call.low_score":
        payload["threshold"] = org.alert_threshold
    now = utcnow()
    event = Event(organization_id=pk(org), type=event_type, payload=payload, created_at=now, dispatched_at=now)
    session.add(event)
    session.flush()
    session.add(
        Delivery(
            organization_id=pk(org),
            channel_id=pk(channel),
            event_id=pk(event),
            status="pending",
            next_attempt_at=now,
            created_at=now,
        )
    )
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="channel.tested",
        target_type="notification_channel",
        target_id=channel.public_id,
        details={"event": event_type},
    )
    mark_for_notify(session, "deliver")
    return event.public_id


def list_deliveries(
    session: Session,
    *,
    org: Organization,
    channel_id: str,
    actor: Actor,
    page: int = 1,
    per_page: int = 20,
    status: str | None = None,
) -> tuple[list[DeliveryOut], int]:
    """The channel's delivery log, newest first, each with its attempts. Returns (page of rows, total)."""
    require(actor, "channels.read")
    if status is not None and status not in DELIVERY_STATUSES:
        raise ValidationFailed.field("status", f"Status must be one of: {', '.join(DELIVERY_STATUSES)}")
    if not isinstance(page, int) or page < 1:
        raise ValidationFailed.field("page", "Page must be 1 or more")
    if not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationFailed.field("perPage", f"perPage must be between 1 and {MAX_PER_PAGE}")
    channel = find_channel(session, org=org, channel_id=channel_id)
    where = [Delivery.channel_id == channel.id]
    if status is not None:
        where.append(Delivery.status == status)
    total = session.exec(select(func.count()).select_from(Delivery).where(*where)).one()
    rows = session.exec(
        select(Delivery, col(Event.public_id), col(Event.type))
        .join(Event, col(Event.id) == col(Delivery.event_id))
        .where(*where)
        .order_by(col(Delivery.created_at).desc(), col(Delivery.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    log_by_delivery: dict[int, list[DeliveryAttemptOut]] = {}
    if rows:
        for a in session.exec(
            select(DeliveryAttempt)
            .where(col(DeliveryAttempt.delivery_id).in_([d.id for d, _, _ in rows]))
            .order_by(col(DeliveryAttempt.delivery_id), col(DeliveryAttempt.started_at), col(DeliveryAttempt.id))
        ):
            log_by_delivery.setdefault(a.delivery_id, []).append(
                DeliveryAttemptOut(
                    attempt=a.attempt,
                    started_at=a.started_at,
                    succeeded=a.succeeded,
                    status_code=a.status_code,
                    latency_ms=a.latency_ms,
                    response_snippet=a.response_snippet,
                    error=a.error,
                )
            )
    items = [
        DeliveryOut(
            id=d.public_id,
            event_id=event_public_id,
            event=event_type,
            status=d.status,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
            last_status_code=d.last_status_code,
            last_latency_ms=d.last_latency_ms,
            last_error=d.last_error,
            created_at=d.created_at,
            delivered_at=d.delivered_at,
            attempt_log=log_by_delivery.get(pk(d), []),
        )
        for d, event_public_id, event_type in rows
    ]
    return items, total


def resume_channel(session: Session, *, org: Organization, channel_id: str, actor: Actor) -> ChannelOut:
    """Active again, failure count reset; held and failed deliveries are due now (succeeded ones never resend)."""
    require(actor, "channels.manage")
    channel = find_channel(session, org=org, channel_id=channel_id)
    now = utcnow()
    was = channel.status
    channel.status, channel.consecutive_failures = "active", 0
    channel.paused_at = channel.pause_reason = None
    channel.updated_at = now
    session.add(channel)
    session.flush()
    requeued = session.exec(
        update(Delivery)
        .where(col(Delivery.channel_id) == channel.id, col(Delivery.status).in_(("held", "failed")))
        .values(status="pending", next_attempt_at=now, claimed_at=None)
    ).rowcount
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="channel.resumed",
        target_type="notification_channel",
        target_id=channel.public_id,
        details={"was": was, "requeued": requeued},
    )
    mark_for_notify(session, "deliver")
    return get_channel(session, org=org, channel_id=channel_id, actor=actor)
