"""Watching the SQL the product sends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@contextmanager
def recorded_statements(engine: Engine | None = None) -> Iterator[list[str]]:
    """The SQL sent to the database (the product's engine unless given) while the block runs."""
    from sqlalchemy import event

    from voiceconsole.db import get_engine

    engine = engine or get_engine()
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
