"""How a call becomes a `CallSummary`, for list pages and the detail alike.

List pages are read as plain columns, not ORM objects (no per-row instrumentation on every list
request). A row's agent and client come back as small refs with the attribute names of `Agent` and
`Client`, so one summary function serves both a list row and a loaded object (the detail endpoint).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple

from sqlalchemy import Label, Row
from sqlmodel import Session, col, select

from voiceconsole.models import Agent, Call, CallTag, Client, Tag


class AgentRef(NamedTuple):
    platform_agent_id: str
    name: str


class ClientRef(NamedTuple):
    public_id: str
    name: str


AGENT_REF_COLUMNS: tuple[Label[str], Label[str]] = (
    col(Agent.platform_agent_id).label("agent_platform_id"),
    col(Agent.name).label("agent_name"),
)
CLIENT_REF_COLUMNS: tuple[Label[str], Label[str]] = (
    col(Client.public_id).label("client_public_id"),
    col(Client.name).label("client_name"),
)


def agent_ref(row: Row[*tuple[Any, ...]]) -> AgentRef | None:
    """The agent of a row selected with AGENT_REF_COLUMNS (None: the call has no agent)."""
    return AgentRef(row.agent_platform_id, row.agent_name) if row.agent_platform_id is not None else None


def client_ref(row: Row[*tuple[Any, ...]]) -> ClientRef | None:
    """The client of a row selected with CLIENT_REF_COLUMNS (None: the call has no client)."""
    return ClientRef(row.client_public_id, row.client_name) if row.client_public_id is not None else None


def summary_fields(
    call: Call | Row[*tuple[Any, ...]],
    agent: Agent | AgentRef | None,
    client: Client | ClientRef | None,
    tags: list[str],
) -> dict[str, Any]:
    """A CallSummary's fields. `call`: a Call, or a list row (same attribute names); `agent` and `client`:
    the ORM objects, their refs, or None."""
    return dict(
        id=call.public_id,
        platform_call_id=call.platform_call_id,
        agent_id=agent.platform_agent_id if agent else None,
        agent_name=agent.name if agent else None,
        client_id=client.public_id if client else None,
        client_name=client.name if client else None,
        platform=call.platform,
        status=call.status,
        direction=call.direction,
        from_number=call.from_number,
        to_number=call.to_number,
        started_at=call.started_at,
        started_at_source=call.started_at_source,
        ended_at=call.ended_at,
        duration=round(call.duration_ms / 1000, 3) if call.duration_ms is not None else None,
        cost=float(call.cost_usd) if call.cost_usd is not None else None,
        cost_credits=call.cost_credits,
        cost_from_credits=call.cost_from_credits,
        call_score=call.score,
        sentiment=call.sentiment,
        summary=call.summary,
        tags=tags,
    )


def tags_for(session: Session, call_ids: list[int]) -> dict[int, list[str]]:
    """Tag names per call id."""
    if not call_ids:
        return {}
    out: dict[int, list[str]] = defaultdict(list)
    rows = session.exec(
        select(col(CallTag.call_id), col(Tag.name))
        .join(Tag, col(Tag.id) == col(CallTag.tag_id))
        .where(col(CallTag.call_id).in_(call_ids))
        .order_by(col(Tag.name))
    )
    for call_id, name in rows:
        out[call_id].append(name)
    return out
