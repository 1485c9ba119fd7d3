"""Recording events (DESIGN.md §6): `call.new`, `agent.status_change`, and the payloads they carry.

The event table is the outbox of outbound notifications. Recording an event sends nothing by
itself: once the transaction commits, a worker is asked to fan the new events out to the channels
that want them (`jobs/notifications.py`). If that request is lost, the notify sweep finds the events
anyway.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import object_session
from sqlmodel import Session, col, select

from voiceconsole import enqueue
from voiceconsole.db import after_commit, is_postgres
from voiceconsole.models import Agent, Call, Client, Event
from voiceconsole.models.types import pk, public_id, table_of, utcnow

# Calls are news for this long: a first sync's months of history, or scoring them, must not flood the
# organization's channels (call.new on a first import; call.completed / call.low_score always).
NEWS_WINDOW = timedelta(hours=24)


def mark_for_notify(session: Session, what: str = "dispatch") -> None:
    """Once this session's transaction commits, fan out its new events ("dispatch", which then sends what is
    due) or send the deliveries it made due ("deliver"); asked for once per transaction, however many."""
    if what == "dispatch":
        after_commit(session, enqueue.notify_dispatch, key="notify-dispatch")
    else:
        after_commit(session, enqueue.notify_delivery, key="notify-deliver")


def record_event(
    session: Session, *, organization_id: int, type: str, payload: dict[str, Any], dedupe_key: str | None = None
) -> Event:
    event = Event(organization_id=organization_id, type=type, payload=payload, dedupe_key=dedupe_key)
    session.add(event)
    mark_for_notify(session)
    return event


def record_event_once(
    session: Session, *, organization_id: int, type: str, payload: dict[str, Any], dedupe_key: str
) -> bool:
    """Record an event unless one with this key exists (e.g. one daily summary per day and audience).

    Safe against concurrent writers (INSERT … ON CONFLICT DO NOTHING on the unique key). True if recorded.
    """
    dialect_insert = postgresql.insert if is_postgres(session) else sqlite.insert
    stmt = (
        dialect_insert(table_of(Event))
        .values(
            public_id=public_id("evt"),
            organization_id=organization_id,
            type=type,
            payload=payload,
            created_at=utcnow(),
            dedupe_key=dedupe_key,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    recorded = session.exec(stmt).rowcount == 1
    if recorded:
        mark_for_notify(session)
    return recorded


def call_payload(call: Call, agent: Agent | None, client: Client | None = None) -> dict[str, Any]:
    """The `data` of a call event: the fields of the published webhook example, camelCase."""
    return {
        "callId": call.public_id,
        "platformCallId": call.platform_call_id,
        "platform": call.platform,
        "agentId": agent.platform_agent_id if agent else None,
        "agentName": agent.name if agent else None,
        "clientId": client.public_id if client else None,
        "clientName": client.name if client else None,
        "status": call.status,
        "direction": call.direction,
        "startedAt": call.started_at.isoformat().replace("+00:00", "Z") if call.started_at else None,
        "duration": round(call.duration_ms / 1000, 1) if call.duration_ms is not None else None,
        "cost": float(call.cost_usd) if call.cost_usd is not None else None,
        "callScore": call.score,
        "sentiment": call.sentiment,
        "summary": call.summary,
    }


def record_call_events(
    session: Session,
    *,
    organization_id: int,
    type: str,
    call_ids: list[int],
    extra: dict[int, dict[str, Any]] | None = None,
) -> int:
    """One event per call, written in one statement (a sync page may bring hundreds of calls);
    `extra` adds fields to some calls' payloads (e.g. the threshold a low score fell under)."""
    if not call_ids:
        return 0
    rows = session.exec(
        select(Call, Agent, Client)
        .join(Agent, col(Agent.id) == col(Call.agent_id), isouter=True)
        .join(Client, col(Client.id) == col(Call.client_id), isouter=True)
        .where(col(Call.organization_id) == organization_id, col(Call.id).in_(call_ids))
        .order_by(col(Call.started_at), col(Call.id))
    ).all()
    now = utcnow()
    values = [
        {
            "public_id": public_id("evt"),
            "organization_id": organization_id,
            "type": type,
            "payload": {**call_payload(call, agent, client), **(extra or {}).get(pk(call), {})},
            "created_at": now,
        }
        for call, agent, client in rows
    ]
    if values:
        session.execute(insert(table_of(Event)), values)
        mark_for_notify(session)
    return len(values)


def agent_status_payload(agent: Agent, previous: str | None) -> dict[str, Any]:
    """The agent and, when it serves a client, that client (so client channels get its status changes)."""
    client = None
    if agent.client_id is not None:
        session = object_session(agent)
        client = session.get(Client, agent.client_id) if session is not None else None
    return {
        "agentId": agent.platform_agent_id,
        "agentName": agent.name,
        "platform": agent.platform,
        "status": agent.status,
        "previousStatus": previous,
        "clientId": client.public_id if client else None,
        "clientName": client.name if client else None,
    }
