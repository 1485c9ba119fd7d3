"""Fan-out: turn new events (the outbox) into one delivery row per interested channel.

An event is read while `dispatched_at IS NULL`, oldest first; its deliveries are inserted with
ON CONFLICT DO NOTHING on (channel, event) and the event is stamped dispatched in the same
transaction. Two workers fanning out at once therefore never create a delivery twice (PostgreSQL
also hands them disjoint events with SKIP LOCKED), and a worker dying half-way leaves the events
undispatched for the next run.

Who gets an event: the organization's channels subscribed to its type, active or paused (a paused
channel's deliveries are `held` until it is resumed), created at or before the event, whose client
filter matches (no filter: every event; a client: only events whose payload `clientId` is that
client). A `daily_summary` event is addressed precisely: only channels whose client filter equals
the payload's `clientId` (null for the organization-wide summary) and whose `summary_hour` equals
the payload's `hour`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from voiceconsole.db import session_scope
from voiceconsole.models import Client, Delivery, Event, NotificationChannel
from voiceconsole.models.types import pk, public_id, table_of, utcnow

BATCH = 500


def insert_ignoring_conflicts(session: Session, table: Table, rows: list[dict[str, Any]], columns: list[str]) -> None:
    """INSERT … ON CONFLICT (columns) DO NOTHING, on PostgreSQL and SQLite."""
    if not rows:
        return
    dialect_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(dialect_insert(table).on_conflict_do_nothing(index_elements=columns), rows)


def channel_wants(channel: NotificationChannel, channel_client: str | None, event: Event) -> bool:
    """Whether this channel gets this event (`channel_client`: the public id of its client filter)."""
    if event.type not in (channel.events or []) or channel.status not in ("active", "paused"):
        return False
    if channel.created_at > event.created_at:
        return False  # a channel hears about what happens after it exists
    payload = event.payload or {}
    if event.type == "daily_summary":
        return payload.get("clientId") == channel_client and payload.get("hour") == channel.summary_hour
    return channel_client is None or payload.get("clientId") == channel_client


def delivery_row(*, channel: NotificationChannel, event_id: int, now: datetime, held: bool) -> dict[str, Any]:
    return {
        "public_id": public_id("dlv"),
        "organization_id": channel.organization_id,
        "channel_id": pk(channel),
        "event_id": event_id,
        "status": "held" if held else "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def fan_out_batch(session: Session, *, limit: int = BATCH) -> tuple[int, int]:
    """Dispatch up to `limit` of the oldest undispatched events. Returns (events, deliveries). The caller commits."""
    query = select(Event).where(col(Event.dispatched_at).is_(None)).order_by(col(Event.id)).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    events = session.exec(query).all()
    if not events:
        return 0, 0
    channels: dict[int, list[tuple[NotificationChannel, str | None]]] = defaultdict(list)
    for channel, client_public_id in session.exec(
        select(NotificationChannel, Client.public_id)
        .join(Client, col(Client.id) == col(NotificationChannel.client_id), isouter=True)
        .where(col(NotificationChannel.organization_id).in_({e.organization_id for e in events}))
    ):
        channels[channel.organization_id].append((channel, client_public_id))
    now = utcnow()
    rows = [
        delivery_row(channel=channel, event_id=pk(event), now=now, held=channel.status == "paused")
        for event in events
        for channel, client in channels.get(event.organization_id, ())
        if channel_wants(channel, client, event)
    ]
    insert_ignoring_conflicts(session, table_of(Delivery), rows, ["channel_id", "event_id"])
    session.execute(
        update(Event)
        .where(col(Event.id).in_([e.id for e in events]), col(Event.dispatched_at).is_(None))
        .values(dispatched_at=now)
    )
    return len(events), len(rows)


def fan_out_all(*, max_batches: int = 200) -> tuple[int, int]:
    """Dispatch every undispatched event, a committed batch at a time. Returns (events, deliveries)."""
    total_events = total_rows = 0
    for _ in range(max_batches):
        with session_scope() as session:
            events, rows = fan_out_batch(session)
        total_events += events
        total_rows += rows
        if events < BATCH:
            break
    return total_events, total_rows
