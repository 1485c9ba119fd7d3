"""The calls list: filters, sorting, paging and totals. Every query is scoped to one organization."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, UnaryExpression, and_, case, func, literal_column, null, or_
from sqlalchemy import select as sa_select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.selectable import Select
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Session, col, select

from voiceconsole.db import is_postgres
from voiceconsole.models import Agent, Call, CallTag, Client, Organization, Tag
from voiceconsole.schemas import CallSummary
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.visibility import redact_all, visibility
from voiceconsole.services.calls.annotations import MAX_TAG_LENGTH, MAX_TAGS_PER_REQUEST, tag_name
from voiceconsole.services.calls.rows import (
    AGENT_REF_COLUMNS,
    CLIENT_REF_COLUMNS,
    agent_ref,
    client_ref,
    summary_fields,
    tags_for,
)
from voiceconsole.services.errors import ValidationFailed

# Public sort names → columns. Anything else is refused with a 422 by the API.
SORT_COLUMNS: dict[str, Mapped[Any]] = {
    "startedAt": col(Call.started_at),
    "endedAt": col(Call.ended_at),
    "callScore": col(Call.score),
    "duration": col(Call.duration_ms),
    "cost": col(Call.cost_usd),
    "createdAt": col(Call.created_at),
}
# Time columns sort in the database's natural NULL order, so (organization, column, id) indexes serve
# both directions; for the others unknown values go last, whatever the direction.
_NATURAL_NULLS = {"startedAt", "createdAt"}  # always set in practice
# Sorting by score, a call without a score that counts (not scored yet, or scored 0 for having no
# transcript) has no sort value, so it goes last in both directions: "worst first" must not open on calls
# nobody could score.
COUNTED_SCORE = case((col(Call.score_excluded).is_(True), null()), else_=col(Call.score))
# `meta.total` is exact up to this many matching calls. Beyond it, counting every match (hundreds of
# thousands of rows for a broad search) would cost more than the page itself, so at most
# EXACT_TOTAL_LIMIT + 1 matches are counted and the total is PostgreSQL's planner estimate instead
# (never below EXACT_TOTAL_LIMIT + 1; SQLite has no estimate and says EXACT_TOTAL_LIMIT + 1), flagged
# with `total_is_estimate`. Read at call time, so tests may lower it.
EXACT_TOTAL_LIMIT = 10_000


@dataclass
class CallFilters:
    agent_id: str | None = None  # the platform's agent id
    client_id: str | None = None  # our client public id
    status: str | None = None
    min_score: int | None = None
    max_score: int | None = None
    sentiment: str | None = None
    platform: str | None = None
    direction: str | None = None
    search: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    scored: bool | None = None  # True: only calls whose score counts (scored, with a transcript)
    tags: list[str] | None = None  # calls with any of these tags (see `split_tags`)


def split_tags(values: Iterable[str]) -> list[str]:
    """Tag filters as given (`follow-up, VIP`, each comma-separated) as tag names the way tags are stored
    (trimmed, lowercase), without blanks or repeats."""
    names: list[str] = []
    for value in values:
        for piece in value.split(","):
            name = tag_name(piece)
            if name and name not in names:
                names.append(name)
    return names


def check_filters(f: CallFilters) -> None:
    """ValidationFailed (422, naming the parameter) for filters no call could ever match."""
    if f.min_score is not None and f.max_score is not None and f.min_score > f.max_score:
        raise ValidationFailed.field("minScore", "minScore must not exceed maxScore")
    names = split_tags(f.tags or [])
    if len(names) > MAX_TAGS_PER_REQUEST:
        raise ValidationFailed.field("tags", f"At most {MAX_TAGS_PER_REQUEST} tags")
    if any(len(name) > MAX_TAG_LENGTH for name in names):
        raise ValidationFailed.field("tags", f"Tags are at most {MAX_TAG_LENGTH} characters")


def _base_query(session: Session, org: Organization, f: CallFilters, actor: Actor | None) -> ColumnElement[bool]:
    conds: list[ColumnElement[bool]] = [col(Call.organization_id) == org.id]
    if actor is not None and actor.client_id is not None:
        conds.append(col(Call.client_id) == actor.client_id)  # client viewers see only their client
    if f.agent_id:
        agent_ids = select(col(Agent.id)).where(
            col(Agent.organization_id) == org.id, col(Agent.platform_agent_id) == f.agent_id
        )
        conds.append(col(Call.agent_id).in_(agent_ids.scalar_subquery()))
    if f.client_id:
        client_ids = select(col(Client.id)).where(
            col(Client.organization_id) == org.id, col(Client.public_id) == f.client_id
        )
        conds.append(col(Call.client_id).in_(client_ids.scalar_subquery()))
    if f.status:
        conds.append(col(Call.status) == f.status)
    if f.min_score is not None:
        conds.append(col(Call.score) >= f.min_score)
    if f.max_score is not None:
        conds.append(col(Call.score) <= f.max_score)
    if f.scored is True:
        conds.extend([col(Call.score).is_not(None), col(Call.score_excluded).is_(False)])
    elif f.scored is False:
        conds.append(or_(col(Call.score).is_(None), col(Call.score_excluded).is_(True)))
    if f.sentiment:
        conds.append(col(Call.sentiment) == f.sentiment)
    if f.platform:
        conds.append(col(Call.platform) == f.platform)
    if f.direction:
        conds.append(col(Call.direction) == f.direction)
    if names := split_tags(f.tags or []):
        tagged = (
            select(col(CallTag.call_id))
            .join(Tag, col(Tag.id) == col(CallTag.tag_id))
            .where(col(Tag.organization_id) == org.id, col(Tag.name).in_(names))
        )
        conds.append(col(Call.id).in_(tagged.scalar_subquery()))
    if f.date_from:
        conds.append(col(Call.started_at) >= f.date_from)
    if f.date_to:
        conds.append(col(Call.started_at) <= f.date_to)
    if f.search and f.search.strip():
        term = f.search.strip()[:200]
        if is_postgres(session):
            conds.append(literal_column("call.search_vector").op("@@")(func.websearch_to_tsquery("english", term)))
        else:
            # The user's text is matched literally: escape LIKE's own wildcards.
            escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            like = f"%{escaped}%"
            conds.append(
                or_(
                    func.lower(col(Call.transcript)).like(like, escape="\\"),
                    func.lower(col(Call.summary)).like(like, escape="\\"),
                )
            )
    return and_(*conds)


def filter_conditions(
    session: Session, org: Organization, filters: CallFilters, actor: Actor | None = None
) -> ColumnElement[bool]:
    """The WHERE clause of the calls list for these filters (also used by the CSV export)."""
    return _base_query(session, org, filters, actor)


# What a list row needs, as plain columns: no ORM objects to build for a page of calls.
_LIST_COLUMNS = (
    col(Call.id),
    col(Call.public_id),
    col(Call.platform_call_id),
    col(Call.platform),
    col(Call.status),
    col(Call.direction),
    col(Call.from_number),
    col(Call.to_number),
    col(Call.started_at),
    col(Call.started_at_source),
    col(Call.ended_at),
    col(Call.duration_ms),
    col(Call.cost_usd),
    col(Call.cost_credits),
    col(Call.cost_from_credits),
    col(Call.score),
    col(Call.sentiment),
    col(Call.summary),
    *AGENT_REF_COLUMNS,
    *CLIENT_REF_COLUMNS,
)


def sort_key(sort_by: str, filters: CallFilters | None = None) -> Any:
    """What a list sort orders by (then by id). By score: the score where it counts, else NULL (last),
    served by the ix_call_org_counted_score indexes on PostgreSQL. `filters` is kept for sorts whose key
    may come to depend on them."""
    if sort_by == "callScore":
        return COUNTED_SCORE
    return SORT_COLUMNS[sort_by]


def sort_value(call: Call, sort_by: str) -> Any:
    """A call's value of `sort_key` (for keyset readers: the rows after this call in the list's order)."""
    if sort_by == "callScore" and call.score_excluded:
        return None
    column: Any = SORT_COLUMNS[sort_by]  # an instrumented attribute: its key is the Call field's name
    return getattr(call, column.key)


def _order(sort_by: str, sort_order: str, column: Any, id_column: Any = None) -> list[UnaryExpression[Any]]:
    """ORDER BY for a sort: its key (`sort_key`), then the id to break ties."""
    id_column = col(Call.id) if id_column is None else id_column
    if sort_by in _NATURAL_NULLS:
        return [column.desc(), id_column.desc()] if sort_order == "desc" else [column.asc(), id_column.asc()]
    if sort_order == "desc":
        return [column.desc().nulls_last(), id_column.desc()]
    return [column.asc().nulls_last(), id_column.asc()]


def _page_ids(
    session: Session,
    where: ColumnElement[bool],
    key: Any,
    sort_by: str,
    sort_order: str,
    offset: int,
    per_page: int,
    *,
    matches_first: bool = False,
) -> list[int]:
    """The page's call ids, on the narrow indexes (the rows themselves are loaded afterwards).

    `matches_first` (PostgreSQL): collect every match first, then sort them. For a search with few matches;
    otherwise the planner may walk the time index newest first and test every call's text for a word
    that is rare or absent (seconds at a million calls), misled by its guess of how common the word is."""
    if matches_first:
        matches = (
            select(col(Call.id).label("id"), key.label("sort_key"))
            .where(where)
            .cte("matches")
            .prefix_with("MATERIALIZED")
        )
        stmt = select(matches.c.id).order_by(*_order(sort_by, sort_order, matches.c.sort_key, matches.c.id))
    else:
        stmt = select(col(Call.id)).where(where).order_by(*_order(sort_by, sort_order, key))
    return list(session.exec(stmt.offset(offset).limit(per_page)))


@dataclass
class CallPage:
    """One page of the calls list. `total` is exact unless `total_is_estimate` (see EXACT_TOTAL_LIMIT)."""

    rows: list[CallSummary]
    total: int
    total_is_estimate: bool = False


class _PlannerRows(Executable, ClauseElement):
    """`EXPLAIN (FORMAT JSON) <select>` (PostgreSQL): the planner's row estimate, without running it."""

    inherit_cache = True
    _traverse_internals = [("statement", InternalTraversal.dp_clauseelement)]

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement


@compiles(_PlannerRows, "postgresql")
def _compile_planner_rows(element: _PlannerRows, compiler: SQLCompiler, **kw: Any) -> str:
    sql = "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)
    compiler._result_columns = []  # EXPLAIN answers with its own column ("QUERY PLAN"), not the select's
    return sql


def _planner_estimate(session: Session, where: ColumnElement[bool]) -> int | None:
    if not is_postgres(session):
        return None
    statement = _PlannerRows(select(literal_column("1")).select_from(Call).where(where))
    plan: Any = session.connection().execute(statement).scalar()  # a Core statement, not an ORM one
    if isinstance(plan, str):  # a driver that does not decode json
        plan = json.loads(plan)
    try:
        return int(plan[0]["Plan"]["Plan Rows"])
    except (LookupError, TypeError, ValueError):
        return None


def count_calls(session: Session, where: ColumnElement[bool], *, exact_limit: int | None = None) -> tuple[int, bool]:
    """(total, is_estimate) for a calls WHERE clause: an exact count of at most `exact_limit` + 1 rows
    (default EXACT_TOTAL_LIMIT), and past that the planner's estimate, at least `exact_limit` + 1."""
    limit = EXACT_TOTAL_LIMIT if exact_limit is None else exact_limit
    capped = select(literal_column("1")).select_from(Call).where(where).limit(limit + 1).subquery()
    n = session.exec(select(func.count()).select_from(capped)).one()
    if n <= limit:
        return n, False
    return max(limit + 1, _planner_estimate(session, where) or 0), True


def page_calls(
    session: Session,
    *,
    org: Organization,
    filters: CallFilters,
    page: int = 1,
    per_page: int = 20,
    sort_by: str = "startedAt",
    sort_order: str = "desc",
    actor: Actor | None = None,
    exact_total_limit: int | None = None,
) -> CallPage:
    """A page of calls and the list's total (exact up to `exact_total_limit`, default EXACT_TOTAL_LIMIT;
    see `count_calls`)."""
    if sort_by not in SORT_COLUMNS:
        raise ValidationFailed.field("sortBy", f"Must be one of: {', '.join(SORT_COLUMNS)}")
    check_filters(filters)
    seen = visibility(session, actor)
    if sort_by == "cost" and not seen.costs:  # the order alone would tell the costs
        raise ValidationFailed.field("sortBy", "Costs are not shown to this client's viewers")
    where = _base_query(session, org, filters, actor)
    limit = EXACT_TOTAL_LIMIT if exact_total_limit is None else exact_total_limit
    offset = (page - 1) * per_page
    key = sort_key(sort_by, filters)
    # Two steps ("deferred join"): find the page's ids on the narrow index, then load just those rows.
    if filters.search and filters.search.strip() and is_postgres(session):
        # Count first: at most `limit` + 1 matches, found through the text index. Up to the limit, sorting
        # the matches costs no more than counting them did (see _page_ids).
        total, estimated = count_calls(session, where, exact_limit=limit)
        ids = _page_ids(session, where, key, sort_by, sort_order, offset, per_page, matches_first=not estimated)
    else:
        ids = _page_ids(session, where, key, sort_by, sort_order, offset, per_page)
        if len(ids) < per_page and (ids or offset == 0):
            # The last page: the total is known without counting.
            total, estimated = offset + len(ids), False
        else:
            total, estimated = count_calls(session, where, exact_limit=limit)
    if estimated:
        if 0 < len(ids) < per_page:
            total, estimated = offset + len(ids), False  # the last page after all: exact
        else:
            # An estimate, but never fewer than the rows seen so far plus one (this page is full), nor more
            # than the offset when this page is already past the end.
            total = max(total, offset + len(ids) + 1) if ids else max(limit + 1, min(total, offset))
    if not ids:
        return CallPage([], total, estimated)
    rows = session.execute(
        sa_select(*_LIST_COLUMNS)  # more columns than sqlmodel's select is typed for; the same statement
        .outerjoin(Agent, col(Agent.id) == col(Call.agent_id))
        .outerjoin(Client, col(Client.id) == col(Call.client_id))
        .where(col(Call.id).in_(ids))
    ).all()
    by_id = {r.id: r for r in rows}
    tags = tags_for(session, ids)
    summaries = [
        CallSummary(**summary_fields(r, agent_ref(r), client_ref(r), tags.get(i, [])))
        for i in ids
        if (r := by_id.get(i)) is not None
    ]
    return CallPage(redact_all(summaries, seen), total, estimated)


def list_calls(
    session: Session,
    *,
    org: Organization,
    filters: CallFilters,
    page: int = 1,
    per_page: int = 20,
    sort_by: str = "startedAt",
    sort_order: str = "desc",
    actor: Actor | None = None,
    exact_total_limit: int | None = None,
) -> tuple[list[CallSummary], int]:
    """(calls, total): `page_calls` without the estimate flag."""
    result = page_calls(
        session,
        org=org,
        filters=filters,
        page=page,
        per_page=per_page,
        sort_by=sort_by,
        sort_order=sort_order,
        actor=actor,
        exact_total_limit=exact_total_limit,
    )
    return result.rows, result.total
