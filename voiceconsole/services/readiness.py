"""Whether this process can serve: the database reachable and migrated to the revision this code needs,
Redis reachable. `GET /api/ready` answers it for load balancers and orchestrators; a worker checks it
before it takes any job, so a worker pointed at the wrong database or Redis stops with the reason
instead of starting as if healthy. Problems are named by part, without internals (no URLs, no hosts)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from voiceconsole.db import get_engine
from voiceconsole.migrations import database_revision, head_revision
from voiceconsole.redis_client import get_redis

log = logging.getLogger(__name__)


@dataclass
class Readiness:
    problems: dict[str, str] = field(default_factory=dict)  # part (database, migrations, redis) -> what is wrong

    @property
    def ready(self) -> bool:
        return not self.problems


def check() -> Readiness:
    """Check every dependency (each one bounded by its connect timeout, see db.py and redis_client.py)."""
    result = Readiness()
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
            current = database_revision(connection)
        head = head_revision()
        if current != head:
            result.problems["migrations"] = (
                f"the database is at migration {current or 'none'} and this code needs {head}: "
                "run `voiceconsole db upgrade`"
            )
    except SQLAlchemyError as exc:
        log.warning("readiness: database unreachable (%s)", type(getattr(exc, "orig", exc)).__name__)
        result.problems["database"] = "unreachable"
    try:
        get_redis().ping()
    except RedisError as exc:
        log.warning("readiness: Redis unreachable (%s)", type(exc).__name__)
        result.problems["redis"] = "unreachable"
    return result
