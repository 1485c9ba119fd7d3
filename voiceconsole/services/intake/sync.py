"""Syncing one integration: agents, then calls since the stored cursor (DESIGN.md §8).

Promises:
- Incremental: calls are walked from `integration.sync_cursor` with the platform's own pagination.
- Resumable: each page is stored in one transaction together with the cursor that follows it, so
  a worker killed mid-sync resumes after the last stored page: nothing lost, nothing twice.
- One at a time: a Redis lock (with a TTL, renewed after every page) per integration; a second
  sync of the same integration returns at once.
- Idempotent: calls and agents are upserts on the platforms' ids.
- Agents missing from the platform's list go offline (and come back online), each change
  recorded as an `agent.status_change` event. New calls are recorded as `call.new` events, and
  queued for scoring, and their agents' cached stats recomputed, after every page.
- The integration shows the outcome: last_sync_at, last_good_sync_at, status and last_error.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from redis.exceptions import LockError
from redis.lock import Lock
from sqlmodel import Session, select

from voiceconsole.db import session_scope
from voiceconsole.models import Agent, Integration, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.platforms.base import AgentRecord, CallRecord
from voiceconsole.platforms.connector import CallPage, PlatformAuthError, PlatformError, RetryPolicy
from voiceconsole.redis_client import get_redis
from voiceconsole.services.intake.store import Intake, store_calls, upsert_agent
from voiceconsole.services.integrations import auth_error_message, connector_for
from voiceconsole.services.net_guard import UnsafeTarget
from voiceconsole.services.notifications.events import NEWS_WINDOW, agent_status_payload, record_event
from voiceconsole.services.text import is_storable

log = logging.getLogger(__name__)
LOCK_TTL_S = 15 * 60  # renewed after every page; a killed worker's lock lapses after this


@dataclass
class SyncResult:
    integration_id: int
    status: str = "active"  # active | error | skipped
    reason: str | None = None
    agents: int = 0
    agents_offline: int = 0
    pages: int = 0
    new_calls: int = 0
    updated_calls: int = 0
    error: str | None = None
    intake: Intake = field(default_factory=Intake, repr=False)

    def summary(self) -> dict[str, Any]:
        return {
            "integrationId": self.integration_id,
            "status": self.status,
            "reason": self.reason,
            "agents": self.agents,
            "agentsOffline": self.agents_offline,
            "pages": self.pages,
            "newCalls": self.new_calls,
            "updatedCalls": self.updated_calls,
            "error": self.error,
        }


class SyncInterrupted(Exception):
    """The integration was disconnected while its sync ran."""


def lock_name(integration_id: int) -> str:
    return f"vc:sync-lock:{integration_id}"


def sync_lock(integration_id: int, *, ttl_s: int = LOCK_TTL_S) -> Lock:
    return get_redis().lock(lock_name(integration_id), timeout=ttl_s)


def sync_integration(integration_id: int, *, retry: RetryPolicy | None = None) -> SyncResult:
    """Sync one integration now (in this process). Returns at once if its sync is already running."""
    lock = sync_lock(integration_id)
    if not lock.acquire(blocking=False):
        log.info("sync of integration %s skipped: another sync holds the lock", integration_id)
        return SyncResult(integration_id, status="skipped", reason="already running")
    try:
        return _sync_locked(integration_id, lock, retry)
    finally:
        with contextlib.suppress(LockError):  # lapsed (a very long page): nothing to release
            lock.release()


def _sync_locked(integration_id: int, lock: Lock, retry: RetryPolicy | None) -> SyncResult:
    result = SyncResult(integration_id)
    started = utcnow()
    with session_scope() as session:
        integration = session.get(Integration, integration_id)
        if integration is None or integration.disconnected_at is not None:
            return SyncResult(integration_id, status="skipped", reason="disconnected or deleted")
        platform, cursor = integration.platform, dict(integration.sync_cursor or {})
        events_since = None if integration.last_good_sync_at else started - NEWS_WINDOW
        try:
            connector = connector_for(integration, retry=retry)
        except UnsafeTarget as exc:
            return _finish(result, started, error=f"The base URL is not allowed: {exc}")
    try:
        with connector:
            agents = connector.list_agents()
            with session_scope() as session:
                result.agents, result.agents_offline = _store_agents(session, integration_id, agents)
            for page in prefetched(connector.list_calls(cursor or None)):
                intake = _store_page(integration_id, page.records, page.cursor, events_since)
                result.intake.merge(intake)
                result.pages += 1
                result.new_calls += len(intake.new_call_ids)
                result.updated_calls += len(intake.updated_call_ids)
                lock.reacquire()  # renew the TTL: still alive
    except PlatformAuthError as exc:
        return _finish(result, started, error=auth_error_message(platform, exc.status_code))
    except SyncInterrupted:
        result.status, result.reason = "skipped", "disconnected during the sync"
        return result
    except PlatformError as exc:
        _finish(result, started, error=exc.message)
        raise
    except Exception as exc:
        _finish(result, started, error=f"The sync failed unexpectedly ({type(exc).__name__}); see the worker log")
        raise
    return _finish(result, started)


def prefetched(pages: Iterator[CallPage], depth: int = 1) -> Iterator[CallPage]:
    """The same pages in the same order, the next one fetched (and mapped) in a thread while the
    current one is stored: the platform's latency and the mapping overlap the database's work.

    An error while fetching is raised here after the pages before it, so those are stored first
    (with their cursors) exactly as without prefetching.
    """
    slots: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for page in pages:
                if not put(("page", page)):
                    return
            put(("done", None))
        except BaseException as exc:  # noqa: BLE001 — handed to the consuming thread, which raises it
            put(("error", exc))

    worker = threading.Thread(target=produce, name="sync-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = slots.get()
            if kind == "page":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        worker.join(timeout=60)


def _store_page(
    integration_id: int, records: list[CallRecord], cursor: dict[str, Any], events_since: datetime | None
) -> Intake:
    """One page and the cursor after it, in one transaction."""
    with session_scope() as session:
        integration = session.get(Integration, integration_id, with_for_update=True)
        if integration is None or integration.disconnected_at is not None:
            raise SyncInterrupted
        org = session.get_one(Organization, integration.organization_id)  # exists: the integration's foreign key
        intake = store_calls(
            session, org=org, records=records, integration_id=integration_id, events_since=events_since
        )
        integration.sync_cursor = cursor
        session.add(integration)
    return intake


def _store_agents(session: Session, integration_id: int, records: list[AgentRecord]) -> tuple[int, int]:
    """Upsert the listed agents; mark this integration's agents that are no longer listed offline."""
    integration = session.get(Integration, integration_id)
    if integration is None:  # deleted since the sync started
        raise SyncInterrupted
    org = session.get_one(Organization, integration.organization_id)  # exists: the integration's foreign key
    records = [r for r in records if is_storable(r.platform_agent_id)]  # an id we could not look up again
    known = {
        a.platform_agent_id: a
        for a in session.exec(
            select(Agent).where(Agent.organization_id == org.id, Agent.platform == integration.platform)
        )
    }
    listed = set()
    for record in records:
        previous = known.get(record.platform_agent_id)
        was = previous.status if previous is not None else None
        agent = upsert_agent(session, org=org, record=record, integration_id=integration_id)
        listed.add(record.platform_agent_id)
        if was == "offline":
            record_event(
                session, organization_id=pk(org), type="agent.status_change", payload=agent_status_payload(agent, was)
            )
    offline = 0
    for agent in known.values():
        mine = agent.integration_id == integration_id
        if mine and agent.status == "online" and agent.platform_agent_id not in listed:
            agent.status = "offline"
            agent.updated_at = utcnow()
            session.add(agent)
            record_event(
                session,
                organization_id=pk(org),
                type="agent.status_change",
                payload=agent_status_payload(agent, "online"),
            )
            offline += 1
    return len(records), offline


def _finish(result: SyncResult, started: datetime, *, error: str | None = None) -> SyncResult:
    """Record the outcome on the integration (the cursor was saved with each page already)."""
    with session_scope() as session:
        integration = session.get(Integration, result.integration_id)
        if integration is not None:
            integration.last_sync_at = started
            if error:
                integration.status, integration.last_error = "error", error
            else:
                integration.status, integration.last_error = "active", None
                integration.last_good_sync_at = started
            session.add(integration)
    if error:
        log.warning("sync of integration %s failed: %s", result.integration_id, error)
    result.status, result.error = ("error", error) if error else ("active", None)
    return result
