"""CSV export of the calls list: the same filters and tenancy as `services.calls.list_calls`, streamed.

Rows are read in keyset batches (newest first: started_at desc, id desc), each batch a short query on
its own, so an export of any size never holds more than one batch in memory nor a long transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from voiceconsole.db import get_engine
from voiceconsole.models import Agent, Call, Client, Organization
from voiceconsole.services.calls.listing import CallFilters, filter_conditions
from voiceconsole.services.calls.rows import tags_for
from voiceconsole.services.access.actor import Actor

BATCH = 1000
COLUMNS = ("id", "platformCallId", "startedAt", "endedAt", "agentId", "agentName", "clientId", "clientName",
           "platform", "status", "direction", "fromNumber", "toNumber", "duration", "cost", "callScore",
           "sentiment", "successful", "endReason", "tags", "summary", "recordingUrl")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str | None) -> str:
    """Free text that a spreadsheet must not run as a formula (CSV injection)."""
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _when(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


def _row(r, tags: list[str]) -> list:  # noqa: ANN001
    return [
        r.public_id, r.platform_call_id, _when(r.started_at), _when(r.ended_at), r.agent_pid or "",
        _text(r.agent_name), r.client_pid or "", _text(r.client_name), r.platform, r.status, r.direction or "",
        r.from_number or "", r.to_number or "",
        f"{r.duration_ms / 1000:.3f}" if r.duration_ms is not None else "",
        f"{r.cost_usd:.6f}" if r.cost_usd is not None else "",
        "" if r.score is None else r.score, r.sentiment or "",
        "" if r.successful is None else str(r.successful).lower(), _text(r.end_reason), _text(";".join(tags)),
        _text(r.summary), r.recording_url or "",
    ]


def _after(started_at: datetime | None, call_id: int):  # noqa: ANN202
    """Rows after (started_at, id) in the order started_at desc nulls last, id desc."""
    if started_at is None:
        return and_(Call.started_at.is_(None), Call.id < call_id)
    return or_(Call.started_at < started_at, and_(Call.started_at == started_at, Call.id < call_id),
               Call.started_at.is_(None))


def export_filename(now: datetime) -> str:
    return f"calls-{now:%Y%m%d-%H%M}.csv"


def stream_calls_csv(*, org_id: int, filters: CallFilters, actor: Actor | None,
                     batch: int | None = None) -> Iterator[str]:
    """CSV text (header first) of every call matching the filters, in chunks of one batch.

    Opens its own database sessions: it runs while the response streams, after the request's session
    is gone.
    """
    batch = batch or BATCH
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield buf.getvalue()
    last: tuple[datetime | None, int] | None = None
    while True:
        with Session(get_engine(), expire_on_commit=False) as session:
            org = session.get(Organization, org_id)
            where = filter_conditions(session, org, filters, actor)
            q = (select(Call.id, Call.public_id, Call.platform_call_id, Call.started_at, Call.ended_at,
                        Agent.platform_agent_id.label("agent_pid"), Agent.name.label("agent_name"),
                        Client.public_id.label("client_pid"), Client.name.label("client_name"), Call.platform,
                        Call.status, Call.direction, Call.from_number, Call.to_number, Call.duration_ms,
                        Call.cost_usd, Call.score, Call.sentiment, Call.successful, Call.end_reason, Call.summary,
                        Call.recording_url)
                 .outerjoin(Agent, Agent.id == Call.agent_id).outerjoin(Client, Client.id == Call.client_id)
                 .where(where))
            if last is not None:
                q = q.where(_after(*last))
            rows = session.exec(q.order_by(Call.started_at.desc().nulls_last(), Call.id.desc()).limit(batch)).all()
            tags = tags_for(session, [r.id for r in rows])
        if not rows:
            return
        buf.seek(0)
        buf.truncate()
        for r in rows:
            writer.writerow(_row(r, tags.get(r.id, [])))
        yield buf.getvalue()
        if len(rows) < batch:
            return
        last = (rows[-1].started_at, rows[-1].id)
