"""Analytics for the dashboard and `GET /api/analytics`: KPIs, period-over-period trends, time series,
the score distribution, and the portfolio board (clients and agents ranked by health).

Where the numbers come from: the daily rollups (`services.rollups`), never a scan of the calls table,
except for parts of a UTC day at the edges of a period (the calls of that part, on the
(organization, started_at) index) and hourly series of ranges under two days. Today's rollup row is
live (kept exact as calls arrive), so a period that ends now reads today from the rollups too.

Definitions (documented in the API too):
- totalCalls: calls that started in the period, any status.
- successRate: the fraction (0–1, as the published docs show `0.78`) of ended calls the platform
  flagged successful (Retell `call_successful`, Vapi success evaluation, ElevenLabs call success);
  ended calls without a flag count as not successful; null without ended calls.
- avgScore: mean score of scored calls, leaving out calls scored without a transcript (no_transcript);
  null when none is scored.
- avgDuration: mean duration in seconds of ended calls with a duration.
- totalCost: sum of the calls' cost in USD.
- sentimentBreakdown: counts of calls by platform sentiment (calls without one are not counted).
- trends.X.change: percent change of the period against the previous period of equal length that
  ends where this one starts; null when the previous value is 0 or missing.
- Periods: `7d`/`30d`/`90d` are the last N UTC calendar days, today included up to now
  (from = 00:00 UTC N-1 days ago, to = now); `custom` is [dateFrom, dateTo) with dateTo defaulting to
  now (a date without a time means the whole day: dateFrom at 00:00, dateTo through 24:00).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Label, SQLColumnExpression, and_, func, literal_column, or_, select
from sqlmodel import Session, col

from voiceconsole.models import Agent, Call, CallDailyRollup, Client, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas.analytics import (
    AnalyticsOut,
    Kpis,
    PeriodFigures,
    PeriodMeta,
    Portfolio,
    PortfolioAgentRow,
    PortfolioRow,
    ScoreDistribution,
    SentimentBreakdown,
    SeriesPoint,
    Trend,
    Trends,
)
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.visibility import redact, visibility
from voiceconsole.services.analytics.rollups import (
    MEASURES,
    Totals,
    as_date,
    call_measures,
    day_start,
    rollup_measures,
    utc_day,
)
from voiceconsole.services.errors import NotFound, ValidationFailed

PRESET_DAYS = {"7d": 7, "30d": 30, "90d": 90}
RANGES = (*PRESET_DAYS, "custom")
MAX_RANGE_DAYS = 731
HOURLY_BELOW = timedelta(days=2)
PORTFOLIO_DAYS = 7
R = CallDailyRollup


# ----------------------------------------------------------------------------------------- windows


@dataclass(frozen=True)
class Window:
    range: str
    start: datetime  # inclusive
    end: datetime  # exclusive
    granularity: str  # "day" | "hour"
    live: bool = False  # runs up to the moment it was asked for (today's rollup row is then whole)

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    @property
    def previous(self) -> tuple[datetime, datetime]:
        """The period of equal length just before this one."""
        return self.start - self.length, self.start


def parse_when(value: str | None, field: str, *, end: bool) -> datetime | None:
    """ISO 8601 (UTC when no zone) or a bare date: the start of that day, or for an end, its close."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return day_start(d + timedelta(days=1) if end else d)
        dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except ValueError:
        raise ValidationFailed.field(
            field, "Must be an ISO 8601 date or date-time, e.g. 2026-11-01 or 2026-11-01T00:00:00Z"
        ) from None
    except OverflowError:  # the day after 9999-12-31, or a zone offset past the last representable moment
        raise ValidationFailed.field(field, "Date is out of range") from None


def resolve_window(
    range_: str = "30d",
    *,
    date_from: str | datetime | None = None,
    date_to: str | datetime | None = None,
    now: datetime | None = None,
) -> Window:
    """The period a request asks for; ValidationFailed (422) names the offending parameter."""
    now = (now or utcnow()).replace(microsecond=0)
    if range_ not in RANGES:
        raise ValidationFailed.field("range", f"Must be one of: {', '.join(RANGES)}")
    start = date_from if isinstance(date_from, datetime) else parse_when(date_from, "dateFrom", end=False)
    end = date_to if isinstance(date_to, datetime) else parse_when(date_to, "dateTo", end=True)
    if range_ in PRESET_DAYS:
        if start is not None or end is not None:
            raise ValidationFailed.field(
                "dateFrom" if start is not None else "dateTo", "dateFrom and dateTo are only used with range=custom"
            )
        start = day_start(now.date() - timedelta(days=PRESET_DAYS[range_] - 1))
        return Window(range_, start, now, "day", live=True)
    if start is None:
        raise ValidationFailed.field("dateFrom", "Required when range=custom")
    end = end or now
    if start >= end:
        raise ValidationFailed.field("dateFrom", "dateFrom must be before dateTo")
    if end - start > timedelta(days=MAX_RANGE_DAYS):
        raise ValidationFailed.field("dateTo", f"A range spans at most {MAX_RANGE_DAYS} days")
    return Window("custom", start, end, "hour" if end - start < HOURLY_BELOW else "day", live=end >= now)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# ----------------------------------------------------------------------------------------- scope


@dataclass
class Scope:
    """Which calls count: one organization, optionally some agents (ids) and one client (id)."""

    org_id: int
    agent_ids: list[int] | None = None
    client_id: int | None = None

    def rollup_conds(self) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = [col(R.organization_id) == self.org_id]
        if self.agent_ids is not None:
            conds.append(col(R.agent_id).in_(self.agent_ids))
        if self.client_id is not None:
            conds.append(col(R.client_id) == self.client_id)
        return conds

    def call_conds(self) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = [col(Call.organization_id) == self.org_id]
        if self.agent_ids is not None:
            conds.append(col(Call.agent_id).in_(self.agent_ids))
        if self.client_id is not None:
            conds.append(col(Call.client_id) == self.client_id)
        return conds


def resolve_scope(
    session: Session,
    *,
    org: Organization,
    agent_id: str | None = None,
    client_id: str | None = None,
    actor: Actor | None = None,
) -> Scope:
    """Agent (the platform's id) and client (public id) filters. Unknown ones, other organizations' and,
    for client viewers, other clients' are answered NotFound (404), never an empty result."""
    scope = Scope(org_id=pk(org))
    viewer_client = actor.client_id if actor is not None else None
    if client_id:
        client = session.execute(
            select(col(Client.id)).where(col(Client.organization_id) == org.id, col(Client.public_id) == client_id)
        ).first()
        if client is None or (viewer_client is not None and client[0] != viewer_client):
            raise NotFound("Client not found")
        scope.client_id = client[0]
    elif viewer_client is not None:
        scope.client_id = viewer_client  # client viewers see only their client
    if agent_id:
        conds = [col(Agent.organization_id) == org.id, col(Agent.platform_agent_id) == agent_id]
        if viewer_client is not None:
            conds.append(col(Agent.client_id) == viewer_client)
        ids = [aid for (aid,) in session.execute(select(col(Agent.id)).where(*conds)) if aid is not None]
        if not ids:
            raise NotFound("Agent not found")
        scope.agent_ids = ids
    return scope


# ----------------------------------------------------------------------------------------- reading

Span = tuple[datetime, datetime]


def _split(start: datetime, end: datetime, live: bool) -> tuple[tuple[date, date] | None, list[Span]]:
    """[start, end) as whole UTC days read from rollups (first, last inclusive) and parts of days read
    from calls. When the period is live (runs to now), its last day counts as whole: that day's rollup
    row holds exactly the calls started so far."""
    parts: list[Span] = []
    first = start.date()
    if start != day_start(first):  # the first day is partial
        first += timedelta(days=1)
        parts.append((start, min(end, day_start(first))))
        if day_start(first) >= end:
            return None, parts
    last = end.date()
    if end == day_start(last):
        last -= timedelta(days=1)
    elif not live:  # the last day is partial
        parts.append((day_start(last), end))
        last -= timedelta(days=1)
    return ((first, last) if last >= first else None), parts


def _bucket_expr(dialect: str, granularity: str) -> ColumnElement[Any]:
    if granularity == "day":
        return utc_day(dialect)
    if dialect == "postgresql":
        return func.date_trunc(literal_column("'hour'"), func.timezone(literal_column("'UTC'"), Call.started_at))
    return func.strftime(literal_column("'%Y-%m-%d %H:00:00'"), Call.started_at)


def _bucket_key(value: Any, granularity: str) -> str:
    if granularity == "day":
        return as_date(value).isoformat()
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:00:00Z")
    return str(value)[:13].replace(" ", "T") + ":00:00Z"


_GROUPS = {"agent": (col(R.agent_id), col(Call.agent_id)), "client": (col(R.client_id), col(Call.client_id))}


def period_totals(
    session: Session,
    scope: Scope,
    start: datetime,
    end: datetime,
    *,
    live: bool = False,
    by: str | None = None,
    granularity: str | None = None,
) -> dict[tuple, Totals]:
    """Figures of the calls started in [start, end), keyed by (group, bucket): group is the agent or
    client id when `by` is given (else None), bucket the day/hour key when `granularity` is (else None).
    At most two queries: one over rollups, one over the calls of partial days (or all calls, hourly)."""
    dialect = session.get_bind().dialect.name
    out: dict[tuple, Totals] = {}

    def add(key: tuple, t: Totals) -> None:
        out[key] = out[key] + t if key in out else t

    if granularity == "hour":
        days, parts = None, [(start, end)]
    else:
        days, parts = _split(start, end, live)
    cols: list[Label[Any]]
    group: list[SQLColumnExpression[Any]]
    if days is not None:
        cols, group = [], []
        if by:
            cols.append(_GROUPS[by][0].label("grp"))
            group.append(_GROUPS[by][0])
        if granularity:
            cols.append(col(R.day).label("bucket"))
            group.append(col(R.day))
        q = select(*cols, *rollup_measures()).where(*scope.rollup_conds(), col(R.day) >= days[0], col(R.day) <= days[1])
        for row in session.execute(q.group_by(*group) if group else q):
            m = row._mapping
            add(
                (m["grp"] if by else None, _bucket_key(m["bucket"], "day") if granularity else None),
                Totals.from_row(row),
            )
    if parts:
        cols, group = [], []
        if by:
            cols.append(_GROUPS[by][1].label("grp"))
            group.append(_GROUPS[by][1])
        if granularity:
            bucket = _bucket_expr(dialect, granularity)
            cols.append(bucket.label("bucket"))
            group.append(bucket)
        window = or_(*[and_(col(Call.started_at) >= lo, col(Call.started_at) < hi) for lo, hi in parts])
        q = select(*cols, *call_measures(dialect)).where(*scope.call_conds(), window)
        for row in session.execute(q.group_by(*group) if group else q):
            m = row._mapping
            if m["calls"] == 0:
                continue
            add(
                (m["grp"] if by else None, _bucket_key(m["bucket"], granularity) if granularity else None),
                Totals.from_row(row),
            )
    return out


def sum_totals(values: Iterable[Totals]) -> Totals:
    rows = list(values)
    sums: dict[str, Any] = {
        f: sum((getattr(t, f) for t in rows), Decimal(0) if f == "cost_usd" else 0) for f in MEASURES
    }
    return Totals(**sums)


# ----------------------------------------------------------------------------------------- figures


def round_figure(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def round_rate(value: float | None) -> float | None:
    """A 0–1 rate to three decimals: the precision of a percent with one decimal (0.784 = 78.4%)."""
    return round_figure(value, 3)


def usd(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.0001")))


def pct_change(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None or previous == 0:
        return None
    return round((current - previous) / previous * 100, 1)


def _trend(current: float | None, previous: float | None, digits: int | None = 1) -> Trend:
    shown = (lambda v: v) if digits is None else (lambda v: round_figure(v, digits))
    return Trend(current=shown(current), previous=shown(previous), change=pct_change(current, previous))


def kpis(t: Totals) -> Kpis:
    return Kpis(
        total_calls=t.calls,
        success_rate=round_rate(t.success_rate),
        avg_score=round_figure(t.avg_score),
        avg_duration=round_figure(t.avg_duration_s),
        total_cost=usd(t.cost_usd),
    )


def _buckets(window: Window) -> list[str]:
    keys = []
    if window.granularity == "hour":
        t = window.start.replace(minute=0, second=0, microsecond=0)
        while t < window.end:
            keys.append(t.strftime("%Y-%m-%dT%H:00:00Z"))
            t += timedelta(hours=1)
    else:
        d = window.start.date()
        while day_start(d) < window.end:
            keys.append(d.isoformat())
            d += timedelta(days=1)
    return keys


def summary(
    session: Session, *, org: Organization, window: Window, scope: Scope, actor: Actor | None = None
) -> AnalyticsOut:
    """Everything `GET /api/analytics` returns under `data`, for one window and scope; costs left out where
    `actor` (a client viewer) is not shown them (callers that pass no actor redact what they return)."""
    by_bucket = period_totals(
        session, scope, window.start, window.end, live=window.live, granularity=window.granularity
    )
    prev_start, prev_end = window.previous
    previous = sum_totals(period_totals(session, scope, prev_start, prev_end).values())
    current = sum_totals(by_bucket.values())
    series = []
    for key in _buckets(window):
        t = by_bucket.get((None, key), Totals())
        series.append(
            SeriesPoint(
                t=key,
                calls=t.calls,
                avg_score=round_figure(t.avg_score),
                cost=usd(t.cost_usd),
                success_rate=round_rate(t.success_rate),
            )
        )
    out = AnalyticsOut(
        **kpis(current).model_dump(),
        sentiment_breakdown=SentimentBreakdown(
            positive=current.positive, neutral=current.neutral, negative=current.negative
        ),
        score_distribution=ScoreDistribution(
            excellent=current.score_excellent,
            good=current.score_good,
            attention=current.score_attention,
            poor=current.score_poor,
        ),
        trends=Trends(
            calls=_trend(current.calls, previous.calls, None),
            success_rate=_trend(current.success_rate, previous.success_rate, 3),
            score=_trend(current.avg_score, previous.avg_score),
            duration=_trend(current.avg_duration_s, previous.avg_duration_s),
            cost=Trend(
                current=usd(current.cost_usd),
                previous=usd(previous.cost_usd),
                change=pct_change(float(current.cost_usd), float(previous.cost_usd)),
            ),
        ),
        series=series,
    )
    return redact(out, visibility(session, actor)) if actor is not None else out


def window_meta(window: Window) -> PeriodMeta:
    prev_start, prev_end = window.previous
    return PeriodMeta(
        range=window.range,
        from_=iso(window.start),
        to=iso(window.end),
        previous_from=iso(prev_start),
        previous_to=iso(prev_end),
        granularity=window.granularity,
    )


def analytics(
    session: Session,
    *,
    org: Organization,
    range_: str = "30d",
    date_from: str | None = None,
    date_to: str | None = None,
    agent_id: str | None = None,
    client_id: str | None = None,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> tuple[AnalyticsOut, PeriodMeta]:
    """(data, meta) of `GET /api/analytics`."""
    window = resolve_window(range_, date_from=date_from, date_to=date_to, now=now)
    scope = resolve_scope(session, org=org, agent_id=agent_id, client_id=client_id, actor=actor)
    return summary(session, org=org, window=window, scope=scope, actor=actor), window_meta(window)


# ----------------------------------------------------------------------------------------- per agent / client


def period_figures(current: Totals, previous: Totals) -> PeriodFigures:
    """One agent's (or client's) figures over a period, with its score trend against the previous one; costs
    per talk minute (ended calls' duration) and per successful call."""
    return PeriodFigures(
        calls=current.calls,
        success_rate=round_rate(current.success_rate),
        avg_score=round_figure(current.avg_score),
        previous_avg_score=round_figure(previous.avg_score),
        score_change=pct_change(current.avg_score, previous.avg_score),
        avg_duration=round_figure(current.avg_duration_s),
        cost=usd(current.cost_usd),
        cost_per_minute=round(float(current.cost_usd) / current.minutes, 4) if current.minutes else None,
        cost_per_successful_call=(
            round(float(current.cost_usd) / current.successful, 4) if current.successful else None
        ),
    )


def figures_by(session: Session, *, scope: Scope, window: Window, by: str) -> dict[int | None, PeriodFigures]:
    """`period_figures` for every agent or client (by = "agent" | "client") with calls in either period."""
    cur = period_totals(session, scope, window.start, window.end, live=window.live, by=by)
    prev_start, prev_end = window.previous
    prev = period_totals(session, scope, prev_start, prev_end, by=by)
    keys = {k[0] for k in cur} | {k[0] for k in prev}
    return {k: period_figures(cur.get((k, None), Totals()), prev.get((k, None), Totals())) for k in keys}


def portfolio(
    session: Session, *, org: Organization, scope: Scope, actor: Actor | None = None, now: datetime | None = None
) -> Portfolio:
    """Clients and agents ranked by health, worst first: health is the average call score over the last
    7 UTC days (today included), with its week-over-week change in points. Rows without scored calls
    this week come last. Costs are left out where `actor` is not shown them."""
    now = (now or utcnow()).replace(microsecond=0)
    this_week = (day_start(now.date() - timedelta(days=PORTFOLIO_DAYS - 1)), now)
    last_week = (this_week[0] - timedelta(days=PORTFOLIO_DAYS), this_week[0])
    rows_by: dict[str, list[Any]] = {}
    for by in ("client", "agent"):
        cur = period_totals(session, scope, *this_week, live=True, by=by)
        prev = period_totals(session, scope, *last_week, by=by)
        entities: list[tuple[int | None, str, str, str | None]]
        if by == "client":
            clients_q = select(col(Client.id), col(Client.public_id), col(Client.name)).where(
                col(Client.organization_id) == org.id
            )
            if scope.client_id is not None:
                clients_q = clients_q.where(col(Client.id) == scope.client_id)
            entities = [(cid, pid, name, None) for cid, pid, name in session.execute(clients_q)]
        else:
            agents_q = (
                select(col(Agent.id), col(Agent.platform_agent_id), col(Agent.name), col(Client.name))
                .outerjoin(Client, col(Client.id) == col(Agent.client_id))
                .where(col(Agent.organization_id) == org.id)
            )
            if scope.client_id is not None:
                agents_q = agents_q.where(col(Agent.client_id) == scope.client_id)
            if scope.agent_ids is not None:
                agents_q = agents_q.where(col(Agent.id).in_(scope.agent_ids))
            entities = [(aid, pid, name, client_name) for aid, pid, name, client_name in session.execute(agents_q)]
        rows = []
        for db_id, public, name, client_name in entities:
            c, p = cur.get((db_id, None), Totals()), prev.get((db_id, None), Totals())
            health, before = c.avg_score, p.avg_score
            figures: dict[str, Any] = dict(
                id=public,
                name=name,
                health=round_figure(health),
                previous_health=round_figure(before),
                health_change=round_figure(health - before) if health is not None and before is not None else None,
                calls=c.calls,
                previous_calls=p.calls,
                calls_change=pct_change(c.calls, p.calls),
                success_rate=round_rate(c.success_rate),
                cost=usd(c.cost_usd),
            )
            rows.append(
                PortfolioAgentRow(**figures, client_name=client_name) if by == "agent" else PortfolioRow(**figures)
            )
        rows.sort(key=lambda r: (r.health is None, r.health or 0, r.name))
        rows_by[by] = rows
    board = Portfolio(from_=iso(this_week[0]), to=iso(now), clients=rows_by["client"], agents=rows_by["agent"])
    return redact(board, visibility(session, actor))
