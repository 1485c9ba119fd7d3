"""The one database engine, and sessions for services, routes, state and jobs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from voiceconsole.settings import get_settings


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    settings = get_settings()
    url = url or settings.database_url
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///"):
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # web, worker and CLI share the file
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    # Sessions in UTC so date()/date_trunc() group by UTC days, whatever the server's zone. JIT off:
    # our queries are short index scans, and compiling them costs more than it saves (measured).
    engine = create_engine(url, pool_size=10, max_overflow=20,
                           connect_args={"options": "-c timezone=UTC -c jit=off"})
    _ping_when_idle(engine)
    return engine


# A pooled connection that sat idle may have been dropped (server restart, failover, a proxy's idle
# timeout): test it before use, as pool_pre_ping does, but only after IDLE_PING_S without use. A busy
# process then pays no extra round trip per request; a dropped connection is replaced, not an error.
IDLE_PING_S = 10.0


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):  # noqa: ANN001
        record.info["vc_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):  # noqa: ANN001
        idle_since = record.info.get("vc_idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_S:
            return  # fresh from connect, or in use moments ago
        try:
            cur = dbapi_conn.cursor()
            cur.execute("SELECT 1")
            cur.close()
            dbapi_conn.rollback()
        except Exception as exc:  # the pool discards this connection and checks out another
            raise DisconnectionError() from exc


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# The notifications outbox (services/events.py): a commit that recorded events asks the notify queue
# to fan them out; a rollback forgets the request. Registered once, for every session.
@event.listens_for(OrmSession, "after_commit")
def _notify_after_commit(session: OrmSession) -> None:
    if session.info.get("vc_notify"):
        from voiceconsole.jobs.notifications import after_commit

        after_commit(session)
    from voiceconsole.services import api_key_cache

    api_key_cache.after_commit(session)


@event.listens_for(OrmSession, "after_rollback")
def _notify_after_rollback(session: OrmSession) -> None:
    session.info.pop("vc_notify", None)
    from voiceconsole.services import api_key_cache

    api_key_cache.after_rollback(session)


# Remembered API keys (services/api_key_cache.py): a committed change to a key or an organization, in
# any process, tells every web process to check its keys again.
@event.listens_for(OrmSession, "after_flush")
def _note_auth_changes(session: OrmSession, _flush_context) -> None:  # noqa: ANN001
    from voiceconsole.services import api_key_cache

    api_key_cache.note_changes(session)
