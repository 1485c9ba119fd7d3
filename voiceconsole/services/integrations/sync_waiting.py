"""A sync that waits: one that found another sync of its integration holding the sync lock (a sync still
running, or the lock of a stopped worker, which lapses within a minute: services/intake/sync.py) and was
queued again for when the lock is free. Shown on the integration (`syncWaitingSince`, `syncRetryAt`)
until a sync of it takes the lock.

Kept in Redis, beside the lock and the queued retry it describes, and read when the integration is shown:
it comes and goes with them (a Redis that loses its data loses all three together, never leaving the
database saying "waiting" for a retry that no longer exists), costs the database no write while the
running sync holds the integration's row, and lapses by itself `GRACE_S` after its retry was due should
that retry never run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from redis.exceptions import RedisError

from voiceconsole.models.types import utcnow
from voiceconsole.redis_client import get_redis

log = logging.getLogger(__name__)
GRACE_S = 600  # a marker outlives its retry time by this much (a busy sync queue may hold the retry a while)


@dataclass(frozen=True)
class SyncWaiting:
    since: datetime  # when a sync first found the lock taken (kept while syncs keep waiting)
    retry_at: datetime  # when the waiting sync is tried again (earlier if the running sync ends first)


def waiting_key(integration_id: int) -> str:
    return f"vc:sync-waiting:{integration_id}"


def _time(value: bytes | str | None) -> datetime | None:
    if value is None:
        return None
    text = value.decode() if isinstance(value, bytes) else value
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except ValueError:
        return None


def mark_waiting(integration_id: int, retry_at: datetime, *, now: datetime | None = None) -> SyncWaiting:
    """Record that a sync of the integration waits, to be retried at `retry_at`. The first wait's start is
    kept; an earlier retry still ahead is kept too (the queue keeps only the earliest retry)."""
    now = now or utcnow()
    redis = get_redis()
    key = waiting_key(integration_id)
    known = cast("list[bytes | None]", redis.hmget(key, ["since", "retry_at"]))
    since, scheduled = _time(known[0]) or now, _time(known[1])
    if scheduled is not None and now < scheduled < retry_at:
        retry_at = scheduled
    pipe = redis.pipeline()
    pipe.hset(key, mapping={"since": since.timestamp(), "retry_at": retry_at.timestamp()})
    pipe.expireat(key, retry_at + timedelta(seconds=GRACE_S))
    pipe.execute()
    return SyncWaiting(since=since, retry_at=retry_at)


def clear_waiting(integration_id: int) -> None:
    """A sync of the integration took the lock: nothing waits any more."""
    get_redis().delete(waiting_key(integration_id))


def waiting_syncs(integration_ids: list[int]) -> dict[int, SyncWaiting]:
    """The waiting syncs of these integrations, by integration id (one round trip). Shown on read, so a
    Redis that does not answer shows none rather than failing the page."""
    if not integration_ids:
        return {}
    pipe = get_redis().pipeline(transaction=False)
    for integration_id in integration_ids:
        pipe.hmget(waiting_key(integration_id), ["since", "retry_at"])
    try:
        rows = cast("list[list[bytes | None]]", pipe.execute())
    except RedisError as exc:
        log.warning("could not read the waiting syncs: %s", exc)
        return {}
    waiting = {}
    for integration_id, (since_raw, retry_raw) in zip(integration_ids, rows, strict=True):
        since, retry_at = _time(since_raw), _time(retry_raw)
        if since is not None and retry_at is not None:
            waiting[integration_id] = SyncWaiting(since=since, retry_at=retry_at)
    return waiting


def waiting_sync(integration_id: int) -> SyncWaiting | None:
    return waiting_syncs([integration_id]).get(integration_id)
