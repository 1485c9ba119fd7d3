"""Daily call rollups (organization × agent × client × UTC day): keeping them exact.

Whoever changes calls calls the hook in the same transaction, after the change:

    # only when the change may move a call to another agent or day (an upsert), before writing:
    previous = rollup_keys_for_platform_calls(session, organization_id=…, platform_call_ids=[(platform, id), …])
    # (or rollup_keys(session, call_ids=…) when the call ids are known)
    ...change the calls...
    refresh_rollups_for_calls(session, call_ids, previous_keys=previous)

A refresh recomputes each affected agent-day from the calls table (a GROUP BY over one agent's calls
of a few days, on the (organization, agent, started_at) index) and replaces its rows, so rollups
never drift, whatever the order of updates, retries or rescoring. On PostgreSQL each agent-day is
locked (transaction-scoped advisory lock) before it is recomputed: two transactions changing calls
of the same agent-day recompute one after the other, and the later one (a fresh READ COMMITTED
snapshot per statement) sees the earlier one's committed calls.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Label,
    Row,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlmodel import Session, col

from voiceconsole.models import Call, CallDailyRollup
from voiceconsole.models.types import table_of, utcnow

RollupKey = tuple[int, int | None, date]  # (organization id, agent id or None, UTC day)

MICRO = Decimal("0.000001")
_LOCK_NAMESPACE = 0x52_4F_4C_4C  # "ROLL": our advisory locks never meet anyone else's
_RUN_GAP_DAYS = 7  # affected days of one agent closer than this are recomputed in one query
_CHUNK = 1000


# ------------------------------------------------------------------------------------------ the figures


@dataclass
class Totals:
    """Additive call figures of any set of calls (one rollup row, a day, a period)."""

    calls: int = 0
    ended: int = 0
    successful: int = 0
    scored: int = 0
    score_sum: int = 0
    score_excellent: int = 0
    score_good: int = 0
    score_attention: int = 0
    score_poor: int = 0
    duration_count: int = 0
    duration_ms_sum: int = 0
    cost_usd: Decimal = Decimal("0")
    positive: int = 0
    neutral: int = 0
    negative: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(**{f: getattr(self, f) + getattr(other, f) for f in MEASURES})

    @classmethod
    def from_row(cls, row: Row[*tuple[Any, ...]]) -> Totals:
        """The figures of a SQL row that has the MEASURES labels."""
        m = row._mapping
        figures: dict[str, Any] = {f: money(m[f]) if f == "cost_usd" else int(m[f] or 0) for f in MEASURES}
        return cls(**figures)

    # Derived figures (None when there is nothing to average).
    @property
    def avg_score(self) -> float | None:
        return self.score_sum / self.scored if self.scored else None

    @property
    def success_rate(self) -> float | None:
        """The fraction (0–1) of ended calls the platform flagged successful (unknown outcome counts as not)."""
        return self.successful / self.ended if self.ended else None

    @property
    def avg_duration_s(self) -> float | None:
        return self.duration_ms_sum / self.duration_count / 1000 if self.duration_count else None

    @property
    def minutes(self) -> float:
        return self.duration_ms_sum / 60_000


MEASURES = tuple(f.name for f in fields(Totals))


def money(value: Decimal | float | int | str | None) -> Decimal:
    """A SQL sum of USD as an exact Decimal (SQLite sums NUMERIC as floating point: round it back)."""
    if value is None:
        return Decimal("0").quantize(MICRO)
    if isinstance(value, float):
        return Decimal(repr(round(value, 6))).quantize(MICRO)
    return Decimal(value).quantize(MICRO)


def _n(cond: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet the condition (0, not NULL, over no rows)."""
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


@lru_cache(maxsize=4)
def call_measures(dialect: str) -> tuple[Label[Any], ...]:
    """The SQL aggregates over `call` rows that make a Totals (labelled with MEASURES). Built once:
    SQL expressions are immutable and reusable."""
    ended = col(Call.status) == "ended"
    scored = col(Call.score).is_not(None) & col(Call.score_excluded).is_(False)
    cost: ColumnElement[Any]
    if dialect == "postgresql":
        cost = func.coalesce(func.sum(Call.cost_usd), 0)
    else:  # exact: sum whole micro-dollars, not floats
        micro = cast(func.round(col(Call.cost_usd) * 1_000_000), BigInteger)
        cost = func.coalesce(func.sum(micro), 0) / 1_000_000.0
    return (
        func.count().label("calls"),
        _n(ended).label("ended"),
        _n(ended & col(Call.successful).is_(True)).label("successful"),
        _n(scored).label("scored"),
        func.coalesce(func.sum(case((scored, Call.score), else_=None)), 0).label("score_sum"),
        _n(scored & (col(Call.score) >= 80)).label("score_excellent"),
        _n(scored & (col(Call.score) >= 60) & (col(Call.score) < 80)).label("score_good"),
        _n(scored & (col(Call.score) >= 40) & (col(Call.score) < 60)).label("score_attention"),
        _n(scored & (col(Call.score) < 40)).label("score_poor"),
        _n(ended & col(Call.duration_ms).is_not(None)).label("duration_count"),
        func.coalesce(func.sum(case((ended, col(Call.duration_ms)), else_=None)), 0).label("duration_ms_sum"),
        cost.label("cost_usd"),
        _n(col(Call.sentiment) == "Positive").label("positive"),
        _n(col(Call.sentiment) == "Neutral").label("neutral"),
        _n(col(Call.sentiment) == "Negative").label("negative"),
    )


@lru_cache(maxsize=1)
def rollup_measures() -> tuple[Label[Any], ...]:
    """The same figures summed over rollup rows."""
    return tuple(func.coalesce(func.sum(getattr(CallDailyRollup, f)), 0).label(f) for f in MEASURES)


def utc_day(dialect: str, column: Any = Call.started_at) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp column, as SQL."""
    if dialect == "postgresql":
        # A literal zone, not a bound parameter: GROUP BY must see the very same expression.
        return func.date(func.timezone(literal_column("'UTC'"), column))
    return func.date(column)  # SQLite stores UTC as naive text


def as_date(value: date | str) -> date:
    return value if isinstance(value, date) and not isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# ------------------------------------------------------------------------------------------ the hook


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int = _CHUNK) -> Iterator[Sequence[_T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def rollup_keys(session: Session, *, call_ids: Iterable[int]) -> set[RollupKey]:
    """The (organization, agent, UTC day) rows these calls count in now. Take them before a change that
    may move calls to another agent or day (an upsert can correct `started_at` or the agent), and pass
    them to `refresh_rollups_for_calls(previous_keys=…)` afterwards."""
    ids = sorted(set(call_ids))
    if not ids:
        return set()
    day = utc_day(_dialect(session))
    keys: set[RollupKey] = set()
    for chunk in _chunks(ids):
        for org_id, agent_id, d in session.execute(
            select(col(Call.organization_id), col(Call.agent_id), day)
            .where(col(Call.id).in_(chunk), col(Call.started_at).is_not(None))
            .distinct()
        ):
            keys.add((org_id, agent_id, as_date(d)))
    return keys


def rollup_keys_for_platform_calls(
    session: Session, *, organization_id: int, platform_call_ids: Iterable[tuple[str, str]]
) -> set[RollupKey]:
    """`rollup_keys` of the stored calls with these (platform, platform call id) pairs, for an upsert to
    take before it writes (calls not stored yet have none)."""
    wanted = set(platform_call_ids)
    if not wanted:
        return set()
    day = utc_day(_dialect(session))
    keys: set[RollupKey] = set()
    for chunk in _chunks(sorted(wanted)):
        for platform, pid, agent_id, d in session.execute(
            select(col(Call.platform), col(Call.platform_call_id), col(Call.agent_id), day).where(
                col(Call.organization_id) == organization_id,
                col(Call.platform).in_({p for p, _ in chunk}),
                col(Call.platform_call_id).in_([pid for _, pid in chunk]),
                col(Call.started_at).is_not(None),
            )
        ):
            if (platform, pid) in wanted:
                keys.add((organization_id, agent_id, as_date(d)))
    return keys


def refresh_rollups_for_calls(
    session: Session, call_ids: Iterable[int], previous_keys: Iterable[RollupKey] | None = None
) -> None:
    """Make the rollups exact again for these calls (new, updated or rescored), in the caller's
    transaction; `previous_keys` (from `rollup_keys` before the change) are refreshed too, so a call
    that moved to another day or agent leaves its old row."""
    session.flush()
    keys = rollup_keys(session, call_ids=call_ids)
    if previous_keys:
        keys |= set(previous_keys)
    refresh_rollup_keys(session, keys)


def refresh_rollups_for_agent(session: Session, *, organization_id: int, agent_id: int) -> None:
    """Recompute every rollup row of one agent (after its calls moved to another client)."""
    session.flush()
    day = utc_day(_dialect(session))
    keys = {
        (organization_id, agent_id, as_date(d))
        for (d,) in session.execute(
            select(day)
            .where(
                col(Call.organization_id) == organization_id,
                col(Call.agent_id) == agent_id,
                col(Call.started_at).is_not(None),
            )
            .distinct()
        )
    }
    keys |= {
        (organization_id, agent_id, d)
        for (d,) in session.execute(
            select(col(CallDailyRollup.day)).where(
                col(CallDailyRollup.organization_id) == organization_id, col(CallDailyRollup.agent_id) == agent_id
            )
        )
    }
    refresh_rollup_keys(session, keys)


def refresh_rollups_for_client(session: Session, *, organization_id: int, client_id: int) -> None:
    """Recompute the rollup rows that count calls of this client (after its calls moved away)."""
    session.flush()
    refresh_rollup_keys(
        session,
        {
            (organization_id, agent_id, as_date(d))
            for agent_id, d in session.execute(
                select(col(CallDailyRollup.agent_id), col(CallDailyRollup.day)).where(
                    col(CallDailyRollup.organization_id) == organization_id, col(CallDailyRollup.client_id) == client_id
                )
            )
        },
    )


def _lock_id(key: RollupKey) -> int:
    org_id, agent_id, day = key
    h = zlib.crc32(f"{org_id}:{agent_id}:{day.isoformat()}".encode())
    return h - (1 << 32) if h >= (1 << 31) else h


def _lock(session: Session, keys: set[RollupKey]) -> None:
    ids = sorted({_lock_id(k) for k in keys})  # one order for everyone: no lock-order deadlocks
    for chunk in _chunks(ids):
        session.execute(
            text(
                "SELECT pg_advisory_xact_lock(:ns, k) FROM (SELECT unnest(CAST(:ids AS integer[])) AS k ORDER BY 1) s"
            ).bindparams(ns=_LOCK_NAMESPACE, ids=chunk)
        ).all()


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days grouped into inclusive ranges whose gaps are under _RUN_GAP_DAYS."""
    runs: list[list[date]] = []
    for d in days:
        if runs and (d - runs[-1][1]).days < _RUN_GAP_DAYS:
            runs[-1][1] = d
        else:
            runs.append([d, d])
    return [(a, b) for a, b in runs]


def _agent_cond(column: Any, agent_ids: set[int | None]) -> ColumnElement[bool]:
    ids = sorted(a for a in agent_ids if a is not None)
    conds = [column.in_(ids)] if ids else []
    if None in agent_ids:
        conds.append(column.is_(None))
    return or_(*conds)


def refresh_rollup_keys(session: Session, keys: Iterable[RollupKey]) -> None:
    """Recompute the rollup rows of these (organization, agent, day) keys from the calls table.

    A handful of statements whatever the number of keys: per run of nearby days, one DELETE of exactly
    the keys' rows and one GROUP BY over the calls of the agents concerned; then one batched INSERT.
    Rows read along with a run but not asked for are left alone (they are not locked by this caller).
    """
    keys = {k for k in keys if k[2] is not None}
    if not keys:
        return
    dialect = _dialect(session)
    if dialect == "postgresql":
        _lock(session, keys)
    day = utc_day(dialect)
    measures = call_measures(dialect)
    now = utcnow()
    by_org: dict[int, set[RollupKey]] = defaultdict(set)
    for key in keys:
        by_org[key[0]].add(key)
    for org_id, org_keys in sorted(by_org.items()):
        values = []
        for lo, hi in _runs(sorted({d for _, _, d in org_keys})):
            agents = {agent_id for _, agent_id, d in org_keys if lo <= d <= hi}
            pairs = sorted({(agent_id or 0, d) for _, agent_id, d in org_keys if lo <= d <= hi})
            for chunk in _chunks(pairs, 500):
                # The day range and agents narrow the rows on the index; the pairs pick exactly the keys.
                session.exec(
                    delete(CallDailyRollup).where(
                        col(CallDailyRollup.organization_id) == org_id,
                        col(CallDailyRollup.day) >= lo,
                        col(CallDailyRollup.day) <= hi,
                        _agent_cond(CallDailyRollup.agent_id, agents),
                        tuple_(func.coalesce(CallDailyRollup.agent_id, 0), CallDailyRollup.day).in_(chunk),
                    )
                )
            rows = session.execute(
                select(col(Call.agent_id), day.label("day"), col(Call.client_id), *measures)
                .where(
                    col(Call.organization_id) == org_id,
                    _agent_cond(col(Call.agent_id), agents),
                    col(Call.started_at) >= day_start(lo),
                    col(Call.started_at) < day_start(hi + timedelta(days=1)),
                )
                .group_by(col(Call.agent_id), day, col(Call.client_id))
            ).all()
            for row in rows:
                d = as_date(row.day)
                if (org_id, row.agent_id, d) not in org_keys:
                    continue  # read along with the run, but not asked for (and not locked): leave it
                t = Totals.from_row(row)
                values.append(
                    {
                        "organization_id": org_id,
                        "agent_id": row.agent_id,
                        "client_id": row.client_id,
                        "day": d,
                        "updated_at": now,
                        **{f: getattr(t, f) for f in MEASURES},
                    }
                )
        if values:  # executemany: one compiled statement, batched by the driver
            session.exec(insert(table_of(CallDailyRollup)), params=values)


def rebuild_rollups(session: Session, *, organization_id: int | None = None) -> int:
    """Recompute all rollups of an organization (or of everyone) from the calls table in one statement.

    For backfills and bulk loads that bypassed the hook; returns the number of rows written.
    """
    session.flush()
    dialect = _dialect(session)
    if dialect == "postgresql":
        # Writers that would refresh rows meanwhile wait for this transaction.
        session.execute(text("LOCK TABLE call_daily_rollup IN SHARE ROW EXCLUSIVE MODE"))
    cond = [] if organization_id is None else [col(CallDailyRollup.organization_id) == organization_id]
    session.exec(delete(CallDailyRollup).where(*cond))
    day = utc_day(dialect)
    call_cond: list[ColumnElement[bool]] = [col(Call.started_at).is_not(None)]
    if organization_id is not None:
        call_cond.append(col(Call.organization_id) == organization_id)
    stamp = literal(utcnow(), table_of(CallDailyRollup).c.updated_at.type)
    keys = (col(Call.organization_id), col(Call.agent_id), col(Call.client_id), day)
    source = select(*keys, *call_measures(dialect), stamp).where(*call_cond).group_by(*keys)
    columns = ["organization_id", "agent_id", "client_id", "day", *MEASURES, "updated_at"]
    session.exec(insert(CallDailyRollup).from_select(columns, source))
    return session.execute(select(func.count()).select_from(CallDailyRollup).where(*cond)).scalar_one()
