"""A pooled PostgreSQL connection dropped while idle is replaced on next use, not surfaced as an error."""

from __future__ import annotations

import os

import psycopg
import pytest
from sqlalchemy import text

from tests.support.sql import recorded_statements
from voiceconsole import db as vc_db

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL (server-side termination)"
)


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_idle_connection_killed_by_the_server_is_replaced(monkeypatch):
    engine = vc_db.get_engine()
    engine.dispose()  # one pooled connection, so the next checkout reuses it
    pid = _backend_pid(engine)
    # Another client terminates it, as a server restart or a proxy's idle timeout would.
    with psycopg.connect(
        engine.url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
    ) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] is True
    monkeypatch.setattr(vc_db, "IDLE_PING_S", 0.0)  # treat it as idle long enough to be checked

    assert _backend_pid(engine) != pid  # a new connection, and no error


def test_recently_used_connection_is_not_pinged(monkeypatch):
    engine = vc_db.get_engine()
    engine.dispose()
    pid = _backend_pid(engine)
    monkeypatch.setattr(vc_db, "IDLE_PING_S", 3600.0)
    with recorded_statements(engine) as statements:
        assert _backend_pid(engine) == pid
    assert statements == ["SELECT pg_backend_pid()"]
