"""Watching the SQL the product sends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def recorded_statements(engine=None) -> Iterator[list[str]]:  # noqa: ANN001
    """The SQL sent to the database (the product's engine unless given) while the block runs."""
    from sqlalchemy import event

    from voiceconsole.db import get_engine

    engine = engine or get_engine()
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # noqa: ANN001
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
