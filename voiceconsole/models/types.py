"""Column types shared by the tables."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from sqlalchemy import JSON, DateTime, Dialect, Table, inspect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel, col

# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")

_BASE62 = string.ascii_letters + string.digits


def utcnow() -> datetime:
    return datetime.now(UTC)


def random_base62(length: int) -> str:
    """`length` characters drawn uniformly from the alphabet: random bytes below 248 (= 4 × 62) map evenly onto
    it, the rest are dropped. One system call per id, not one per character (a lead import makes thousands)."""
    out: list[str] = []
    while len(out) < length:
        out.extend(_BASE62[b % 62] for b in secrets.token_bytes(length + 4) if b < 248)
    return "".join(out[:length])


def public_id(prefix: str, length: int = 20) -> str:
    """Opaque public identifiers such as `cl_7fK2…`; never expose integer keys."""
    return f"{prefix}_{random_base62(length)}"


class _HasId(Protocol):
    @property
    def id(self) -> int | None: ...


def pk(row: _HasId) -> int:
    """The primary key of a row that has been flushed or loaded.

    The tables declare `id: int | None` because a new row has no id until the database assigns one at
    flush; every row read from the database, or added and flushed, has one. Raises on an unflushed row
    (a bug) rather than letting None reach a query or a foreign key."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush it before using its id")
    return row.id


def id_column(model: type[_HasId]) -> Mapped[int]:
    """`model.id` to select ids with, typed `int`: the column is a NOT NULL primary key (the attribute
    is `int | None` only for a row not flushed yet, see `pk`)."""
    return cast("Mapped[int]", col(model.id))


def table_of(model: type[SQLModel]) -> Table:
    """The Core `Table` of a table model, for bulk statements (SQLModel sets `__table__` on table models
    but does not declare it to type checkers)."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


class UTCDateTime(TypeDecorator[datetime]):
    """Always UTC, always tz-aware in Python, whatever the database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use UTC-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
