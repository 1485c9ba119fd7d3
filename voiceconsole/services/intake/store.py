"""Storing what the platforms send (a sync page, a webhook, the demo loader): one stage for every door.

`store_calls` is what a sync page and a webhook go through: upsert the calls (keyed on organization,
platform and platform id, so a call that arrives twice is stored once), record `call.new` events,
and once the caller commits, queue scoring for the calls that are ready and agent stats for the
agents touched. `upsert_agent` and `upsert_calls` are the storage underneath.

Plan limits (services/billing/monitoring.py): calls of an agent that is not monitored are not stored, so
neither scored nor alerted; they are counted (`skipped_unmonitored`) and imported once the agent is
monitored (services/intake/backfill.py). An agent first seen in a page is created first and the plan's
limits applied, then its calls are kept or skipped like any other's.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import psycopg
from sqlalchemy import case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, col, select

from voiceconsole import enqueue
from voiceconsole.db import after_commit, is_postgres
from voiceconsole.models import Agent, Call, CallPayload, Organization
from voiceconsole.models.types import pk, public_id, table_of, utcnow
from voiceconsole.platforms.base import AgentRecord, CallRecord
from voiceconsole.services.analytics.rollups import refresh_rollups_for_calls, rollup_keys_for_platform_calls
from voiceconsole.services.billing.monitoring import apply_plan_limits, lock_plan_limits
from voiceconsole.services.intake.attribution import attribute_calls
from voiceconsole.services.notifications.events import record_call_events
from voiceconsole.services.text import is_storable, storable
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)

# Columns a later delivery of the same call may fill in or correct (analysis arrives after the call).
CALL_UPDATABLE = (
    "agent_id",
    "client_id",
    "status",
    "direction",
    "from_number",
    "to_number",
    "started_at",  # see _START_RULE: a known start is never replaced by a first-seen time
    "started_at_source",
    "ended_at",
    "duration_ms",
    "cost_usd",
    "cost_from_credits",
    "cost_credits",
    "cost_breakdown",
    "recording_url",
    "recording_urls",
    "transcript",
    "transcript_turns",
    "summary",
    "sentiment",
    "successful",
    "platform_analysis",
    "end_reason",
    "platform_status",
    "metadata",
    "platform_latency",
    "updated_at",
)
# A delivery without a start (the platform sends none) keeps the start already stored, if any.
_KEEPS_START = "first_seen"


def _insert_agent(
    session: Session, org: Organization, record: AgentRecord, integration_id: int | None, client_id: int | None
) -> Agent:
    """A new agent row, or the one another transaction inserted meanwhile (a webhook racing a sync): the
    insert runs under a savepoint, so losing the race costs a re-read, not the whole page."""
    agent = Agent(
        organization_id=pk(org),
        platform=record.platform,
        platform_agent_id=record.platform_agent_id,
        name=record.name,
        integration_id=integration_id,
        client_id=client_id,
    )
    try:
        with session.begin_nested():
            session.add(agent)
            session.flush()
        return agent
    except IntegrityError:
        return session.exec(
            select(Agent).where(
                Agent.organization_id == org.id,
                Agent.platform == record.platform,
                Agent.platform_agent_id == record.platform_agent_id,
            )
        ).one()


def upsert_agent(
    session: Session,
    *,
    org: Organization,
    record: AgentRecord,
    integration_id: int | None = None,
    client_id: int | None = None,
) -> Agent:
    record = dataclasses.replace(
        record, **{f: storable(getattr(record, f)) for f in ("name", "voice", "model", "prompt", "platform_version")}
    )
    agent = session.exec(
        select(Agent).where(
            Agent.organization_id == org.id,
            Agent.platform == record.platform,
            Agent.platform_agent_id == record.platform_agent_id,
        )
    ).first()
    now = utcnow()
    if agent is None:
        agent = _insert_agent(session, org, record, integration_id, client_id)
    agent.name = record.name or agent.name
    agent.voice, agent.model, agent.prompt = record.voice, record.model, record.prompt
    agent.platform_version = record.platform_version
    agent.integration_id = integration_id or agent.integration_id
    if client_id is not None:
        agent.client_id = client_id
    agent.status = "online"
    agent.last_seen_at = now
    agent.updated_at = now
    session.add(agent)
    session.flush()
    return agent


def call_row(org_id: int, record: CallRecord, agent: Agent | None, integration_id: int | None) -> dict:
    """The column values of one call, ready for a bulk insert.

    A call the platform gives no start time (one that never connected) starts when it is first seen,
    marked so: otherwise it would sort after every other call and fall out of every date filter.
    A cost given only in credits is converted when the operator set a USD rate per credit."""
    now = utcnow()
    cost_usd, from_credits = _cost_usd(record)
    return {
        "public_id": public_id("cl"),
        "organization_id": org_id,
        "agent_id": agent.id if agent else None,
        "client_id": agent.client_id if agent else None,
        "integration_id": integration_id,
        "platform": record.platform,
        "platform_call_id": record.platform_call_id,
        "status": record.status,
        "direction": record.direction,
        "from_number": record.from_number,
        "to_number": record.to_number,
        "started_at": record.started_at or now,
        "started_at_source": "platform" if record.started_at else _KEEPS_START,
        "ended_at": record.ended_at,
        "duration_ms": _int_column(record.duration_ms),
        "cost_usd": cost_usd if cost_usd is None or abs(cost_usd) < _MAX_USD else None,
        "cost_from_credits": from_credits,
        "cost_credits": _int_column(record.cost_credits),
        "cost_breakdown": [item.to_dict() for item in record.cost_breakdown],
        "recording_url": record.recording_url,
        "recording_urls": dict(record.recordings),
        "transcript": record.transcript or None,
        "transcript_turns": [t.to_dict() for t in record.turns],
        "summary": record.summary,
        "sentiment": record.sentiment,
        "successful": record.successful,
        "platform_analysis": record.analysis or {},
        "end_reason": record.end_reason,
        "platform_status": record.platform_status,
        "metadata": record.metadata or {},
        "platform_latency": {stage: stats.to_dict() for stage, stats in record.latency.items()},
        "created_at": now,
        "updated_at": now,
    }


# What the columns hold (INTEGER; NUMERIC(12, 6)): a platform's absurd figure is stored as unknown
# rather than failing the whole page or delivery.
_MAX_INT = 2**31 - 1
_MAX_USD = Decimal(10**6)


def _int_column(value: int | None) -> int | None:
    return value if value is None or 0 <= value <= _MAX_INT else None


def _cost_usd(record: CallRecord) -> tuple[Decimal | None, bool]:
    if record.cost_usd is not None or record.cost_credits is None or record.platform != "elevenlabs":
        return record.cost_usd, False
    rate = get_settings().elevenlabs_usd_per_credit
    if rate is None:
        return None, False
    return (record.cost_credits * rate).quantize(Decimal("0.000001")), True


@dataclass
class UpsertResult:
    new_call_ids: list[int] = field(default_factory=list)
    updated_call_ids: list[int] = field(default_factory=list)
    agent_ids: set[int] = field(default_factory=set)
    call_keys: dict[int, tuple[str, str]] = field(default_factory=dict)  # call id -> (platform, platform call id)
    skipped_unmonitored: int = 0  # calls of agents the plan does not monitor: not stored


def upsert_calls(
    session: Session,
    *,
    org: Organization,
    records: list[CallRecord],
    integration_id: int | None = None,
    only_monitored: bool = True,
) -> UpsertResult:
    """Insert new calls and refresh known ones in one statement; report which were new.

    Calls of agents that are not monitored are skipped (`only_monitored`; False re-derives calls already
    stored, `voiceconsole calls remap`). Text a database refuses (a NUL character, an unpaired surrogate)
    never fails the page: a call whose id holds such text is skipped (logged), and when the statement is
    refused for the text of a call, the page is stored again with that text cleaned (`services.text.storable`)."""
    result = UpsertResult()
    records = _with_storable_ids(records)
    if not records:
        return result
    agent_keys = {(r.platform, r.platform_agent_id) for r in records if r.platform_agent_id}
    agents: dict[tuple[str, str | None], Agent] = (
        {
            (a.platform, a.platform_agent_id): a
            for a in session.exec(
                select(Agent).where(
                    Agent.organization_id == org.id,
                    col(Agent.platform_agent_id).in_([k[1] for k in agent_keys]),
                )
            )
        }
        if agent_keys
        else {}
    )
    created = False
    if any(r.platform_agent_id and (r.platform, r.platform_agent_id) not in agents for r in records):
        lock_plan_limits(session, org)  # before creating agents: see lock_plan_limits
    for r in records:
        if r.platform_agent_id and (r.platform, r.platform_agent_id) not in agents:  # an agent not listed yet
            agents[(r.platform, r.platform_agent_id)] = upsert_agent(
                session,
                org=org,
                record=AgentRecord(
                    platform=r.platform, platform_agent_id=r.platform_agent_id, name=r.agent_name or r.platform_agent_id
                ),
                integration_id=integration_id,
            )
            created = True
    if created:  # the plan may not monitor the new agent (this updates the Agent objects above)
        apply_plan_limits(session, org)
    if only_monitored:
        records = _of_monitored_agents(org, records, agents, result)
        if not records:
            return result
    # One row per platform call id: a page may repeat a call; the last delivery wins.
    rows = {}
    for r in records:
        agent = agents.get((r.platform, r.platform_agent_id))
        rows[(r.platform, r.platform_call_id)] = call_row(pk(org), r, agent, integration_id)
    values = list(rows.values())
    # A redelivery may move a call to another agent or day: remember the rollup rows it was in.
    previous = rollup_keys_for_platform_calls(session, organization_id=pk(org), platform_call_ids=list(rows))
    try:
        with session.begin_nested():  # a savepoint: a refusal below undoes this statement only
            stored = _upsert_rows(session, org, values)
    except (UnicodeEncodeError, StatementError, psycopg.DataError):
        # Rare (a platform sent a NUL or a broken character): clean this page's text only when needed,
        # since checking every transcript of every page up front would cost more than storing it.
        stored = _upsert_rows(session, org, [storable(v) for v in values])
    for cid, p, pid, agent_id, inserted in stored:
        (result.new_call_ids if inserted else result.updated_call_ids).append(cid)
        result.call_keys[cid] = (p, pid)
        if agent_id:
            result.agent_ids.add(agent_id)
    latest: dict[tuple[str, str], CallRecord] = {(r.platform, r.platform_call_id): r for r in records}
    store_payloads(session, {cid: latest[key] for cid, key in result.call_keys.items()})
    attribute_calls(session, result.new_call_ids + result.updated_call_ids)  # the builder version live then
    refresh_rollups_for_calls(session, result.new_call_ids + result.updated_call_ids, previous_keys=previous)
    return result


def _of_monitored_agents(
    org: Organization,
    records: list[CallRecord],
    agents: dict[tuple[str, str | None], Agent],
    result: UpsertResult,
) -> list[CallRecord]:
    """The records to store: all but those of agents the plan does not monitor (counted in `result`)."""
    kept = []
    for r in records:
        agent = agents.get((r.platform, r.platform_agent_id))
        if agent is not None and not agent.monitored:
            result.skipped_unmonitored += 1
        else:
            kept.append(r)
    if result.skipped_unmonitored:
        log.debug("organization %s: skipped %d call(s) of agents not monitored", org.id, result.skipped_unmonitored)
    return kept


@dataclass
class Intake:
    new_call_ids: list[int] = field(default_factory=list)
    updated_call_ids: list[int] = field(default_factory=list)
    agent_ids: set[int] = field(default_factory=set)
    to_score: list[int] = field(default_factory=list)
    events: int = 0
    skipped_unmonitored: int = 0  # calls of agents the plan does not monitor (not stored)

    def merge(self, other: Intake) -> None:
        self.new_call_ids += other.new_call_ids
        self.updated_call_ids += other.updated_call_ids
        self.agent_ids |= other.agent_ids
        self.to_score += other.to_score
        self.events += other.events
        self.skipped_unmonitored += other.skipped_unmonitored


def ready_for_scoring(record: CallRecord) -> bool:
    """An ended call whose platform analysis is in (Retell sends it after the call, with call_analyzed),
    or that has no conversation to analyse (never connected): it is scored as excluded right away."""
    if record.status != "ended":
        return False
    return record.platform != "retell" or bool(record.analysis) or not (record.turns or record.transcript)


def store_payloads(session: Session, records: dict[int, CallRecord]) -> None:
    """Keep each call's latest raw platform object (zlib-compressed JSON; ASCII-escaped, so any text the
    platform sent round-trips, NUL and lone surrogates included)."""
    now = utcnow()
    rows = []
    for call_id, record in records.items():
        if record.raw is None:
            continue
        data = json.dumps(record.raw, separators=(",", ":"), default=str).encode()
        rows.append(
            {
                "call_id": call_id,
                "source": record.raw_source,
                "payload": zlib.compress(data, PAYLOAD_COMPRESSION),
                "size": len(data),
                "updated_at": now,
            }
        )
    if not rows:
        return
    table = table_of(CallPayload)
    insert = postgresql.insert(table) if is_postgres(session) else sqlite.insert(table)
    stmt = insert.on_conflict_do_update(
        index_elements=["call_id"], set_={c: insert.excluded[c] for c in ("source", "payload", "size", "updated_at")}
    )
    session.connection().execute(stmt, rows)


PAYLOAD_COMPRESSION = 6  # zlib's default: about 5–8× smaller for call JSON


def read_payload(row: CallPayload) -> dict[str, Any]:
    """The raw platform object stored by `store_payloads`."""
    value = json.loads(zlib.decompress(row.payload))
    if not isinstance(value, dict):
        raise ValueError("a stored payload is not a JSON object")
    return value


def store_calls(
    session: Session,
    *,
    org: Organization,
    records: list[CallRecord],
    integration_id: int | None,
    events_since: datetime | None = None,
) -> Intake:
    """Upsert the calls; record `call.new` for new ones (started at or after `events_since`, if given);
    once the caller commits, queue scoring and agent stats.

    Every stored call that is ready is queued for scoring, new or changed: the scorer fingerprints
    its inputs and leaves a call whose inputs did not change as it was, so a later delivery that
    brings the analysis rescores the call and a repeated one costs a cheap check.
    """
    result = upsert_calls(session, org=org, records=records, integration_id=integration_id)
    intake = Intake(
        new_call_ids=result.new_call_ids,
        updated_call_ids=result.updated_call_ids,
        agent_ids=set(result.agent_ids),
        skipped_unmonitored=result.skipped_unmonitored,
    )
    by_key: dict[tuple[str, str], CallRecord] = {(r.platform, r.platform_call_id): r for r in records}
    new = set(result.new_call_ids)
    announce = []
    for call_id, key in result.call_keys.items():
        record = by_key[key]
        if ready_for_scoring(record):
            intake.to_score.append(call_id)
        # A call the platform gave no start was first seen now: new to everyone.
        fresh = events_since is None or record.started_at is None or record.started_at >= events_since
        if call_id in new and fresh:
            announce.append(call_id)
    intake.events = record_call_events(session, organization_id=pk(org), type="call.new", call_ids=announce)
    after_commit(session, lambda: _follow_up(intake))
    return intake


def _follow_up(intake: Intake) -> None:
    """Once the calls are committed (a job must never look for a row that is not committed yet): scoring
    for the calls that need it, cached stats for the agents touched."""
    if intake.to_score:
        enqueue.scoring(intake.to_score)
    if intake.agent_ids:
        enqueue.agent_stats(intake.agent_ids)


def _with_storable_ids(records: list[CallRecord]) -> list[CallRecord]:
    """The records whose ids can be stored and looked up; the others are skipped, with a warning."""
    kept = []
    for r in records:
        if is_storable(r.platform_call_id) and (r.platform_agent_id is None or is_storable(r.platform_agent_id)):
            kept.append(r)
        else:
            log.warning("skipped a %s call whose id is not storable text: %r", r.platform, r.platform_call_id[:80])
    return kept


def _upsert_rows(session: Session, org: Organization, values: list[dict[str, Any]]) -> list[tuple]:
    if is_postgres(session):
        return _upsert_rows_postgres(session, values)
    return _upsert_rows_sqlite(session, org, values)


def _upsert_rows_sqlite(session: Session, org: Organization, values: list[dict]) -> list[tuple]:
    table = table_of(Call)
    existing = set(
        session.exec(
            select(Call.platform, Call.platform_call_id).where(
                Call.organization_id == org.id,
                col(Call.platform).in_({v["platform"] for v in values}),
                col(Call.platform_call_id).in_([v["platform_call_id"] for v in values]),
            )
        )
    )
    insert = sqlite.insert(table)
    updates: dict[str, Any] = {c: insert.excluded[c] for c in CALL_UPDATABLE}
    keeps_start = insert.excluded.started_at_source == _KEEPS_START
    for c in _START_COLUMNS:
        updates[c] = case((keeps_start, table.c[c]), else_=insert.excluded[c])
    stmt = insert.on_conflict_do_update(
        index_elements=["organization_id", "platform", "platform_call_id"],
        set_=updates,
    ).returning(table.c.id, table.c.platform, table.c.platform_call_id, table.c.agent_id)
    # executemany: compiled once (cached) and sent in batches, not a new statement per page.
    return [
        (cid, p, pid, agent_id, (p, pid) not in existing)
        for cid, p, pid, agent_id in session.connection().execute(stmt, values)
    ]


_JSON_COLUMNS = frozenset(
    {"transcript_turns", "platform_analysis", "metadata", "cost_breakdown", "recording_urls", "platform_latency"}
)
_START_COLUMNS = frozenset({"started_at", "started_at_source"})


def _upsert_rows_postgres(session: Session, values: list[dict]) -> list[tuple]:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … SELECT … ON CONFLICT.

    A sync page is hundreds of calls with large JSON transcripts; COPY moves them without building
    (and parsing) a statement with tens of thousands of parameters, so storing a page costs little
    more than the raw insert. Which rows were inserted comes back with them (`xmax = 0` marks a row
    this statement inserted rather than updated), so no lookup by platform id is needed: such a
    lookup is planned from the statistics, which lag far behind during the first import of an
    account and made every page scan all of the organization's calls. Runs in the session's
    transaction; the staging table is dropped at commit.
    """
    from psycopg.types.json import Jsonb

    columns = list(values[0])
    names = ", ".join(f'"{c}"' for c in columns)
    keeps_start = f"EXCLUDED.started_at_source = '{_KEEPS_START}'"
    updates = ", ".join(
        [f'"{c}" = EXCLUDED."{c}"' for c in CALL_UPDATABLE if c not in _START_COLUMNS]
        + [f'"{c}" = CASE WHEN {keeps_start} THEN call."{c}" ELSE EXCLUDED."{c}" END' for c in sorted(_START_COLUMNS)]
    )
    driver = session.connection().connection.driver_connection
    if driver is None:  # only for a connection that was closed or invalidated
        raise RuntimeError("the session's database connection is gone")
    with driver.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS vc_call_stage ON COMMIT DROP AS SELECT {names} FROM call WITH NO DATA"
        )
        with cur.copy(f"COPY vc_call_stage ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(
                    [Jsonb(row[c]) if c in _JSON_COLUMNS and row[c] is not None else row[c] for c in columns]
                )
        cur.execute(
            f"INSERT INTO call ({names}) SELECT {names} FROM vc_call_stage "
            f"ON CONFLICT (organization_id, platform, platform_call_id) DO UPDATE SET {updates} "
            f"RETURNING id, platform, platform_call_id, agent_id, (xmax = 0) AS inserted"
        )
        stored = cur.fetchall()
        cur.execute("TRUNCATE vc_call_stage")
    return stored
