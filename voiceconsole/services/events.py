"""Recording events (DESIGN.md §6): `call.new`, `agent.status_change`, and the payloads they carry.

Outbound delivery (webhooks, Slack, Discord, email) reads these rows; recording one never sends
anything by itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from voiceconsole.models import Agent, Call, Client, Event
from voiceconsole.models.types import public_id, utcnow


def record_event(session: Session, *, organization_id: int, type: str, payload: dict[str, Any]) -> Event:
    event = Event(organization_id=organization_id, type=type, payload=payload)
    session.add(event)
    return event


def call_payload(call: Call, agent: Agent | None, client: Client | None = None) -> dict[str, Any]:
    """The `data` of a call event: the fields of the published webhook example, camelCase."""
    return {
        "callId": call.public_id,
        "platformCallId": call.platform_call_id,
        "platform": call.platform,
        "agentId": agent.platform_agent_id if agent else None,
        "agentName": agent.name if agent else None,
        "clientId": client.public_id if client else None,
        "status": call.status,
        "direction": call.direction,
        "startedAt": call.started_at.isoformat().replace("+00:00", "Z") if call.started_at else None,
        "duration": round(call.duration_ms / 1000, 1) if call.duration_ms is not None else None,
        "cost": float(call.cost_usd) if call.cost_usd is not None else None,
        "callScore": call.score,
        "sentiment": call.sentiment,
        "summary": call.summary,
    }


def record_call_events(session: Session, *, organization_id: int, type: str, call_ids: list[int]) -> int:
    """One event per call, written in one statement (a sync page may bring hundreds of calls)."""
    if not call_ids:
        return 0
    rows = session.exec(
        select(Call, Agent, Client)
        .join(Agent, Agent.id == Call.agent_id, isouter=True)
        .join(Client, Client.id == Call.client_id, isouter=True)
        .where(Call.organization_id == organization_id, Call.id.in_(call_ids))
        .order_by(Call.started_at, Call.id)
    ).all()
    now = utcnow()
    values = [{"public_id": public_id("evt"), "organization_id": organization_id, "type": type,
               "payload": call_payload(call, agent, client), "created_at": now} for call, agent, client in rows]
    if values:
        session.execute(insert(Event.__table__), values)
    return len(values)


def agent_status_payload(agent: Agent, previous: str | None) -> dict[str, Any]:
    return {"agentId": agent.platform_agent_id, "agentName": agent.name, "platform": agent.platform,
            "status": agent.status, "previousStatus": previous}
