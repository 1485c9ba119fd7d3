"""The one database engine, and sessions for services, routes, state and jobs."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlmodel import Session, create_engine

from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)
CONNECT_TIMEOUT_S = 5  # PostgreSQL and Redis alike


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    settings = get_settings()
    url = url or settings.database_url
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # web, worker and CLI share the file
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    # Sessions in UTC so date()/date_trunc() group by UTC days, whatever the server's zone. JIT off:
    # our queries are short index scans, and compiling them costs more than it saves (measured).
    # A server that does not answer fails a connection after CONNECT_TIMEOUT_S instead of hanging the request.
    engine = create_engine(
        url,
        pool_size=10,
        max_overflow=20,
        connect_args={"options": "-c timezone=UTC -c jit=off", "connect_timeout": CONNECT_TIMEOUT_S},
    )
    _ping_when_idle(engine)
    return engine


# A pooled connection that sat idle may have been dropped (server restart, failover, a proxy's idle
# timeout): test it before use, as pool_pre_ping does, but only after IDLE_PING_S without use. A busy
# process then pays no extra round trip per request; a dropped connection is replaced, not an error.
IDLE_PING_S = 10.0


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        record.info["vc_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn: DBAPIConnection, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
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


_instance: str | None = None


def instance_id() -> str | None:
    """Which deployment this database belongs to (the `deployment` row; None until migrated), read once
    per process. Queued jobs carry it, so that a worker pointed at another database leaves them alone."""
    global _instance
    if _instance is None:
        with get_engine().connect() as connection:
            if inspect(connection).has_table("deployment"):
                _instance = connection.execute(text("SELECT instance_id FROM deployment ORDER BY id")).scalar()
    return _instance


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# After-commit work: the one way to act once a transaction is committed (enqueue a job that must find
# the rows, tell other processes about a change). Work registered on a session runs after its next
# commit and is forgotten if it rolls back. The owners of such work (events, intake, API keys)
# register it; this module knows none of them.
_AFTER_COMMIT = "vc_after_commit"


def after_commit(session: OrmSession, work: Callable[[], object], *, key: Hashable | None = None) -> None:
    """Run `work()` once `session`'s current transaction commits; drop it if the transaction rolls back.

    With a `key`, only the first work registered under that key runs for this transaction ("ask for a
    notification dispatch" however many events it recorded). A failure is logged, never raised: the
    data is committed, and every such work has a periodic safety net.
    """
    pending: dict = session.info.setdefault(_AFTER_COMMIT, {})
    pending.setdefault(key if key is not None else object(), work)


@event.listens_for(OrmSession, "after_commit")
def _run_after_commit(session: OrmSession) -> None:
    for work in (session.info.pop(_AFTER_COMMIT, None) or {}).values():
        try:
            work()
        except Exception:  # Redis away: committed all the same; the sweeps catch up
            log.warning("after-commit work %r failed", work, exc_info=True)


@event.listens_for(OrmSession, "after_rollback")
def _forget_after_commit(session: OrmSession) -> None:
    session.info.pop(_AFTER_COMMIT, None)
