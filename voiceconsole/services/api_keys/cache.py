"""Verified API keys, remembered for a short while in each web process.

A request with a remembered key needs no database round trip before its route: the rate-limit check
(one Redis call) is the only I/O. Revocation stays immediate everywhere: committing a change to an API
key, an organization or a membership row (revoking a key, changing its role, a new plan, a member's role
changed or the member removed) bumps the *auth epoch*, a
counter in Redis that the rate-limit script reads in the same round trip. A grant remembered under
another epoch is dropped and the key is checked against the database again. The TTL
(`VOICECONSOLE_API_KEY_CACHE_SECONDS`, default 60; 0 turns the cache off) bounds the rest, e.g. a
change made with plain SQL.

Only the SHA-256 of a key is used as the cache key; the key itself is never kept.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, cast

from cachetools import TTLCache
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction, make_transient_to_detached

from voiceconsole.db import after_commit
from voiceconsole.models import ApiKey, Membership, Organization
from voiceconsole.models.types import pk
from voiceconsole.redis_client import get_redis
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.billing.plans import effective_slug
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)

EPOCH_KEY = "voiceconsole:auth-epoch"
MAX_KEYS = 10_000
TOUCH_EVERY_S = 60.0  # last_used_at is written at most once a minute per key and process
_ORG_COLUMNS = tuple(a.key for a in inspect(Organization).column_attrs)


@dataclass(slots=True)
class Grant:
    """What a verified key grants: the actor and its organization's row as it was read."""

    key_id: int
    actor: Actor
    org_values: dict[str, Any]
    epoch: bytes | None  # the auth epoch read before the database said the key was valid
    touched_at: float = field(default_factory=time.monotonic)

    @property
    def plan(self) -> str:
        """The plan whose rate limits apply (Free's once a failed payment's grace period has ended)."""
        return effective_slug(self.org_values["plan"], self.org_values.get("grace_ends_at"))

    def organization(self) -> Organization:
        """A fresh persistent-looking copy of the organization row, for one request's session: attributes
        as loaded, no pending changes, so a service may read or change it as if it had been queried."""
        values: dict[str, Any] = {
            k: copy.deepcopy(v) if isinstance(v, (dict, list)) else v for k, v in self.org_values.items()
        }
        org = Organization(**values)
        make_transient_to_detached(org)
        return org


_lock = threading.Lock()
_cache: TTLCache | None = None


def _store() -> TTLCache | None:
    global _cache
    ttl = get_settings().api_key_cache_s
    if ttl <= 0:
        return None
    if _cache is None:
        with _lock:
            if _cache is None:
                _cache = TTLCache(maxsize=MAX_KEYS, ttl=ttl, timer=time.monotonic)
    return _cache


def get(digest: str) -> Grant | None:
    store = _store()
    if store is None:
        return None
    with _lock:
        return store.get(digest)


def grant_for(key: ApiKey, org: Organization, actor: Actor, epoch: bytes | None) -> Grant:
    """What `key` grants, with its organization's row as read now."""
    return Grant(key_id=pk(key), actor=actor, org_values={c: getattr(org, c) for c in _ORG_COLUMNS}, epoch=epoch)


def put(digest: str, grant: Grant) -> None:
    store = _store()
    if store is None:
        return
    with _lock:
        store[digest] = grant


def drop(digest: str) -> None:
    store = _store()
    if store is not None:
        with _lock:
            store.pop(digest, None)


def clear() -> None:
    store = _store()
    if store is not None:
        with _lock:
            store.clear()


def due_for_touch(grant: Grant) -> bool:
    """True once a minute per remembered key: time to write its last_used_at (the caller does)."""
    now = time.monotonic()
    with _lock:
        if now - grant.touched_at < TOUCH_EVERY_S:
            return False
        grant.touched_at = now
        return True


# --- the auth epoch ------------------------------------------------------------------------------


def read_epoch() -> bytes | None:
    # redis-py types every command `Awaitable | Any` (shared with its asyncio client); this client is
    # synchronous and does not decode responses: GET answers bytes or None.
    return cast("bytes | None", get_redis().get(EPOCH_KEY))


def bump_epoch() -> None:
    """Every process drops its remembered keys on its next request with one of them."""
    clear()
    try:
        get_redis().incr(EPOCH_KEY)
    except Exception:  # noqa: BLE001 — the change is committed; do not turn it into an error
        log.error(
            "could not announce an API key change in Redis: other web processes may accept the old key for up to %s s",
            get_settings().api_key_cache_s,
        )


@event.listens_for(OrmSession, "after_flush")
def _note_auth_changes(session: OrmSession, _flush_context: UOWTransaction) -> None:
    """For every session of every process that imports the services (services/__init__.py makes sure):
    a flush that changed an API key, an organization or a membership (a key acts as its creator, never above
    their current role) bumps the epoch once its transaction commits.
    After the commit, not before: a request that read the key as valid before it committed has read the
    old epoch too, so what it remembers is dropped on its next request."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, (ApiKey, Organization, Membership)) and (obj in session.deleted or session.is_modified(obj)):
            after_commit(session, bump_epoch, key=EPOCH_KEY)
            return
