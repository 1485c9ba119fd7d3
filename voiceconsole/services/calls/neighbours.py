"""The calls just above and below one call in a calls list (its filters and sort), for previous/next.

The list's order is the sort column, then the id in the same direction, with NULLs where the list puts
them (see `listing._order`). Each neighbour is one keyset query of a single row on the list's index: a
row comparison `(column, id) < (value, id)` that the database seeks to, not a scan of the rows before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, UnaryExpression, and_, tuple_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from voiceconsole.db import is_postgres
from voiceconsole.models import Agent, Call, Organization
from voiceconsole.models.types import pk
from voiceconsole.schemas.neighbours import CallNeighbours, NeighbourCall
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.calls.detail import find_call
from voiceconsole.services.calls.listing import SORT_COLUMNS, CallFilters, filter_conditions, sort_key, sort_value
from voiceconsole.services.errors import ValidationFailed

# Sorts the list leaves in the database's natural NULL order (listing._NATURAL_NULLS): PostgreSQL puts
# NULLs last going up, SQLite first. Every other sort puts unknown values last in both directions.
_NATURAL_NULLS = {"startedAt", "createdAt"}


@dataclass(frozen=True)
class _Order:
    column: Any
    descending: bool
    nulls_first: bool

    def reversed(self) -> _Order:
        return _Order(self.column, not self.descending, not self.nulls_first)

    def order_by(self) -> list[UnaryExpression[Any]]:
        c = self.column.desc() if self.descending else self.column.asc()
        c = c.nulls_first() if self.nulls_first else c.nulls_last()
        return [c, col(Call.id).desc() if self.descending else col(Call.id).asc()]

    def segments_after(self, value: Any, ident: int) -> list[ColumnElement[bool]]:
        """Conditions for the rows after (value, ident), in list order, each a contiguous run of it."""
        key, here = tuple_(self.column, col(Call.id)), (value, ident)
        if value is not None:
            beyond = key < here if self.descending else key > here
            return [beyond] if self.nulls_first else [beyond, self.column.is_(None)]
        id_after = col(Call.id) < ident if self.descending else col(Call.id) > ident
        later_nulls = and_(self.column.is_(None), id_after)
        return [later_nulls, self.column.is_not(None)] if self.nulls_first else [later_nulls]


def _first(session: Session, where: ColumnElement[bool], order: _Order, value: Any, ident: int) -> NeighbourCall | None:
    for segment in order.segments_after(value, ident):
        row = session.execute(
            sa_select(col(Call.public_id), col(Call.started_at), col(Agent.name))
            .outerjoin(Agent, col(Agent.id) == col(Call.agent_id))
            .where(where, segment)
            .order_by(*order.order_by())
            .limit(1)
        ).first()
        if row is not None:
            return NeighbourCall(id=row[0], started_at=row[1], agent_name=row[2])
    return None


def call_neighbours(
    session: Session,
    *,
    org: Organization,
    call_id: str,
    filters: CallFilters | None = None,
    sort_by: str = "startedAt",
    sort_order: str = "desc",
    actor: Actor | None = None,
) -> CallNeighbours:
    """The calls before and after `call_id` in the calls list with these filters and sort (by default:
    every call of the organization, newest first). The call itself need not match the filters: its
    neighbours are then the calls around where it would be. Another organization's call, or another
    client's for a client viewer, is NotFound; the neighbours are scoped the same way."""
    if sort_by not in SORT_COLUMNS:
        raise ValidationFailed.field("sortBy", f"Must be one of: {', '.join(SORT_COLUMNS)}")
    call = find_call(session, org=org, call_id=call_id, actor=actor)
    filters = filters or CallFilters()
    column = sort_key(sort_by, filters)  # the list's own key: a score that does not count sorts as none
    descending = sort_order != "asc"
    natural = descending if is_postgres(session) else not descending
    nulls_first = natural if sort_by in _NATURAL_NULLS else False
    order = _Order(column, descending, nulls_first)
    where = filter_conditions(session, org, filters, actor)
    value, ident = sort_value(call, sort_by), pk(call)
    return CallNeighbours(
        previous=_first(session, where, order.reversed(), value, ident),
        next=_first(session, where, order, value, ident),
    )
