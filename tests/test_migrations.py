"""The migrations build the schema the models describe, and 0007 dates the calls stored without a start."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from voiceconsole import models  # noqa: F401  (every table on SQLModel.metadata)
from voiceconsole.db import get_engine

VOICECONSOLE = Path(sys.executable).with_name("voiceconsole")


def test_the_migrated_database_matches_the_models():
    with get_engine().connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, SQLModel.metadata)
    # Index and constraint naming differs between dialects and is not the question here: tables and columns are.
    # PostgreSQL's full-text column is the database's own (generated, read by raw SQL): no model field.
    database_only = {("call", "search_vector")}
    tables_and_columns = [
        d
        for d in diff
        if d[0] in ("add_table", "remove_table", "add_column", "remove_column")
        and not (d[0] == "remove_column" and (d[2], d[3].name) in database_only)
    ]
    assert tables_and_columns == []


def _fill(table: sa.Table, **given):
    """A row with every required column: the values given, else a plain value of the column's type."""
    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.server_default is not None or column.primary_key:
            continue
        try:
            kind = column.type.python_type
        except NotImplementedError:
            kind = str
        row[column.name] = {
            bool: False,
            int: 0,
            float: 0.0,
            datetime: datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC),
            dict: {},
            list: [],
        }.get(kind, f"{column.name}-x")
    return row


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of the suite's kind: a PostgreSQL database of its own, or an SQLite file."""
    suite = os.environ.get("DATABASE_URL", "")
    if not suite.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'upgrade.db'}"
        return
    base = suite.replace("postgresql+psycopg://", "postgresql://").rpartition("/")[0]
    name = f"vc_migrate_{secrets.token_hex(4)}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_calls_without_a_start_are_dated_by_first_sight_and_counted_in_the_rollups(tmp_path, scratch_url):
    url = scratch_url
    env = {**os.environ, "DATABASE_URL": url, "VOICECONSOLE_DATA_DIR": str(tmp_path)}

    def migrate(revision: str) -> None:
        done = subprocess.run(
            [str(VOICECONSOLE), "db", "upgrade", revision], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr

    migrate("0006")
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    seen = datetime(2026, 5, 4, 3, 2, 1)
    with engine.begin() as conn:
        organization = meta.tables["organization"]
        org_id = conn.execute(organization.insert().values(_fill(organization)).returning(organization.c.id)).scalar()
        call = meta.tables["call"]
        for n, started in enumerate((None, datetime(2026, 5, 1, 12, 0))):
            conn.execute(
                call.insert().values(
                    _fill(
                        call,
                        organization_id=org_id,
                        public_id=f"cl_{n}",
                        platform="retell",
                        platform_call_id=f"call_{n}",
                        status="ended",
                        started_at=started,
                        created_at=seen,
                        updated_at=seen,
                        cost_usd=None,
                        score=None,
                    )
                )
            )
    migrate("head")
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT platform_call_id, started_at, started_at_source FROM call ORDER BY id")
        ).all()
        days = dict(conn.execute(sa.text("SELECT day, calls FROM call_daily_rollup")).all())
    engine.dispose()
    assert [(r[0], r[2]) for r in rows] == [("call_0", "first_seen"), ("call_1", "platform")]
    assert str(rows[0][1]).startswith("2026-05-04 03:02:01")
    assert {str(day): n for day, n in days.items()} == {"2026-05-04": 1, "2026-05-01": 1}
