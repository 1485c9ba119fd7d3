"""The one database engine, and sessions for services, routes, state and jobs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
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
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                         connect_args={"options": "-c timezone=UTC -c jit=off"})


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


@event.listens_for(OrmSession, "after_rollback")
def _notify_after_rollback(session: OrmSession) -> None:
    session.info.pop("vc_notify", None)
