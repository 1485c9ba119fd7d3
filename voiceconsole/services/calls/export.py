"""CSV export of the calls list: the same filters and tenancy as `services.calls.list_calls`, streamed.

Rows are read in keyset batches (newest first: started_at desc, id desc), each batch a short query on
its own, so an export of any size never holds more than one batch in memory nor a long transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, SQLColumnExpression, and_, or_, select
from sqlmodel import Session, col

from voiceconsole.db import get_engine
from voiceconsole.models import Agent, Call, Client, Organization
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.visibility import visibility
from voiceconsole.services.calls.listing import CallFilters, filter_conditions
from voiceconsole.services.calls.rows import tags_for
from voiceconsole.services.errors import NotFound

BATCH = 1000
COLUMNS = (
    "id",
    "platformCallId",
    "startedAt",
    "endedAt",
    "agentId",
    "agentName",
    "clientId",
    "clientName",
    "platform",
    "status",
    "direction",
    "fromNumber",
    "toNumber",
    "duration",
    "cost",
    "callScore",
    "sentiment",
    "successful",
    "endReason",
    "tags",
    "summary",
    "recordingUrl",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What a CSV row needs, as plain columns (`_row` reads them by these names).
_EXPORT_COLUMNS: tuple[SQLColumnExpression[Any], ...] = (
    col(Call.id),
    col(Call.public_id),
    col(Call.platform_call_id),
    col(Call.started_at),
    col(Call.ended_at),
    col(Agent.platform_agent_id).label("agent_pid"),
    col(Agent.name).label("agent_name"),
    col(Client.public_id).label("client_pid"),
    col(Client.name).label("client_name"),
    col(Call.platform),
    col(Call.status),
    col(Call.direction),
    col(Call.from_number),
    col(Call.to_number),
    col(Call.duration_ms),
    col(Call.cost_usd),
    col(Call.score),
    col(Call.sentiment),
    col(Call.successful),
    col(Call.end_reason),
    col(Call.summary),
    col(Call.recording_url),
)


def _text(value: str | None) -> str:
    """Free text that a spreadsheet must not run as a formula (CSV injection)."""
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _when(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


def _row(r: Row[*tuple[Any, ...]], tags: list[str]) -> list[Any]:
    return [
        r.public_id,
        r.platform_call_id,
        _when(r.started_at),
        _when(r.ended_at),
        r.agent_pid or "",
        _text(r.agent_name),
        r.client_pid or "",
        _text(r.client_name),
        r.platform,
        r.status,
        r.direction or "",
        r.from_number or "",
        r.to_number or "",
        f"{r.duration_ms / 1000:.3f}" if r.duration_ms is not None else "",
        f"{r.cost_usd:.6f}" if r.cost_usd is not None else "",
        "" if r.score is None else r.score,
        r.sentiment or "",
        "" if r.successful is None else str(r.successful).lower(),
        _text(r.end_reason),
        _text(";".join(tags)),
        _text(r.summary),
        r.recording_url or "",
    ]


def _after(started_at: datetime | None, call_id: int) -> ColumnElement[bool]:
    """Rows after (started_at, id) in the order started_at desc nulls last, id desc."""
    if started_at is None:
        return and_(col(Call.started_at).is_(None), col(Call.id) < call_id)
    return or_(
        col(Call.started_at) < started_at,
        and_(col(Call.started_at) == started_at, col(Call.id) < call_id),
        col(Call.started_at).is_(None),
    )


def export_filename(now: datetime) -> str:
    return f"calls-{now:%Y%m%d-%H%M}.csv"


def stream_calls_csv(
    *, org_id: int, filters: CallFilters, actor: Actor | None, batch: int | None = None
) -> Iterator[str]:
    """CSV text (header first) of every call matching the filters, in chunks of one batch.

    Opens its own database sessions: it runs while the response streams, after the request's session
    is gone.
    """
    batch = batch or BATCH
    with Session(get_engine(), expire_on_commit=False) as session:
        costs_shown = visibility(session, actor).costs
    # A client viewer who is not shown costs gets no cost column at all.
    keep = [i for i, name in enumerate(COLUMNS) if costs_shown or name != "cost"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([COLUMNS[i] for i in keep])
    yield buf.getvalue()
    last: tuple[datetime | None, int] | None = None
    while True:
        with Session(get_engine(), expire_on_commit=False) as session:
            org = session.get(Organization, org_id)
            if org is None:  # deleted while its export streamed
                raise NotFound("Organization not found")
            where = filter_conditions(session, org, filters, actor)
            q = (
                select(*_EXPORT_COLUMNS)
                .outerjoin(Agent, col(Agent.id) == col(Call.agent_id))
                .outerjoin(Client, col(Client.id) == col(Call.client_id))
                .where(where)
            )
            if last is not None:
                q = q.where(_after(*last))
            rows = session.execute(
                q.order_by(col(Call.started_at).desc().nulls_last(), col(Call.id).desc()).limit(batch)
            ).all()
            tags = tags_for(session, [r.id for r in rows])
        if not rows:
            return
        buf.seek(0)
        buf.truncate()
        for r in rows:
            row = _row(r, tags.get(r.id, []))
            writer.writerow([row[i] for i in keep])
        yield buf.getvalue()
        if len(rows) < batch:
            return
        last = (rows[-1].started_at, rows[-1].id)
