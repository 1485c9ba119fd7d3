"""Syncing one integration: agents, then calls since the stored cursor (DESIGN.md §8).

Promises:
- Incremental: calls are walked from `integration.sync_cursor` with the platform's own pagination.
- Resumable: each page is stored in one transaction together with the cursor that follows it, so
  a worker killed mid-sync resumes after the last stored page: nothing lost, nothing twice.
- One at a time: a Redis lock per integration, with a short TTL (`LOCK_TTL_S`) that a heartbeat thread
  renews while the sync runs, however long a platform takes over one page. A worker killed mid-sync
  leaves a lock that lapses within the TTL; a sync that finds its lock lapsed and taken stops before
  storing another page.
- Not lost when it must wait: a sync that finds the lock taken is queued again for when the lock's
  remaining TTL has passed (one retry per integration, the earliest: `enqueue.sync_at`), and sooner if
  the running sync ends first; meanwhile the integration shows it waiting, since when and until when
  (services/integrations/sync_waiting.py).
- Idempotent: calls and agents are upserts on the platforms' ids.
- Agents missing from the platform's list go offline (and come back online), each change
  recorded as an `agent.status_change` event. New calls are recorded as `call.new` events, and
  queued for scoring, and their agents' cached stats recomputed, after every page.
- The integration shows the outcome: last_sync_at, last_good_sync_at, status and last_error.
- Plan limits: after the agents are stored the plan's limits are applied (services/billing/monitoring.py),
  and calls of agents not monitored are skipped (counted in `skippedUnmonitored`). New agents that compete
  for fewer slots than there are agents are first ranked by the platform's count of their recent calls
  (`Connector.count_recent_calls`, one request each), so a new account monitors its most active agents.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from redis.exceptions import LockError, RedisError
from redis.lock import Lock
from sqlalchemy import func
from sqlmodel import Session, col, select

from voiceconsole import enqueue
from voiceconsole.db import session_scope
from voiceconsole.models import Agent, Integration, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.platforms.base import AgentRecord, CallRecord
from voiceconsole.platforms.connector import CallPage, Connector, PlatformAuthError, PlatformError, RetryPolicy
from voiceconsole.redis_client import get_redis
from voiceconsole.services.billing.monitoring import ACTIVITY_WINDOW, apply_plan_limits, lock_plan_limits
from voiceconsole.services.billing.plans import effective_plan
from voiceconsole.services.intake.store import Intake, store_calls, upsert_agent
from voiceconsole.services.integrations import auth_error_message, connector_for
from voiceconsole.services.integrations.sync_waiting import clear_waiting, mark_waiting, waiting_sync
from voiceconsole.services.net_guard import UnsafeTarget
from voiceconsole.services.notifications.events import NEWS_WINDOW, agent_status_payload, record_event
from voiceconsole.services.text import is_storable

log = logging.getLogger(__name__)
# A stopped worker's lock lapses after LOCK_TTL_S; a live sync's heartbeat renews it every third of that,
# so two beats may fail (a Redis blip, a stalled process) before it is lost.
LOCK_TTL_S: float = 60.0
HEARTBEATS_PER_TTL = 3
RETRY_MARGIN_S: float = 2.0  # a waiting sync runs this long (up to a second more) after its lock lapses
HAND_OVER_AHEAD_S = 1.0  # a waiting sync due sooner than this is left to its own retry


@dataclass
class SyncResult:
    integration_id: int
    status: str = "active"  # active | error | skipped | waiting (for the lock: retried at retry_at)
    reason: str | None = None
    retry_at: datetime | None = None
    agents: int = 0
    agents_offline: int = 0
    pages: int = 0
    new_calls: int = 0
    updated_calls: int = 0
    skipped_unmonitored: int = 0
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
            "skippedUnmonitored": self.skipped_unmonitored,
            "error": self.error,
            "retryAt": self.retry_at.isoformat() if self.retry_at else None,
        }


class SyncInterrupted(Exception):
    """The integration was disconnected while its sync ran."""


class SyncLockLost(Exception):
    """The sync's lock lapsed (this process stalled past its TTL) and may be another sync's by now."""


def lock_name(integration_id: int) -> str:
    return f"vc:sync-lock:{integration_id}"


def sync_lock(integration_id: int, *, ttl_s: float | None = None) -> Lock:
    """The integration's sync lock. Not thread-local: the heartbeat thread renews what the sync acquired."""
    return get_redis().lock(lock_name(integration_id), timeout=ttl_s or LOCK_TTL_S, thread_local=False)


@contextlib.contextmanager
def heartbeat(lock: Lock) -> Iterator[threading.Event]:
    """Renew the held lock's TTL from a thread, `HEARTBEATS_PER_TTL` times per TTL, until the block ends:
    a live sync keeps its lock while it waits minutes on one platform page, and a killed one stops
    renewing it. The event yielded is set if the lock was lost (lapsed, or taken since)."""
    ttl = float(lock.timeout or LOCK_TTL_S)
    stop, lost = threading.Event(), threading.Event()

    def beat() -> None:
        while not stop.wait(ttl / HEARTBEATS_PER_TTL):
            try:
                lock.reacquire()  # the TTL starts again
            except LockError:  # checked before RedisError, its base
                log.warning("the sync lock %s lapsed while its sync ran", lock.name)
                lost.set()
                return
            except RedisError as exc:  # a blip: the TTL covers the next beats
                log.warning("could not renew the sync lock %s: %s", lock.name, exc)

    thread = threading.Thread(target=beat, name="sync-lock-heartbeat", daemon=True)
    thread.start()
    try:
        yield lost
    finally:
        stop.set()
        thread.join(timeout=10)


@contextlib.contextmanager
def sync_lock_if_free(integration_id: int) -> Iterator[threading.Event | None]:
    """For other work on an integration's calls that must not interleave with its sync (the open-call
    poll): the sync lock if it is free, held and renewed for the block, which gets the `heartbeat`'s
    "lost" event; None (and nothing held) while a sync holds it. A sync that waited for the lock
    meanwhile runs as soon as the block ends."""
    lock = sync_lock(integration_id)
    if not lock.acquire(blocking=False):
        yield None
        return
    try:
        with heartbeat(lock) as lost:
            yield lost
    finally:
        try:
            lock.release()
        except LockError:
            pass  # lapsed: nothing to release, nothing held to hand over
        else:
            _hand_over(integration_id)


def sync_integration(integration_id: int, *, retry: RetryPolicy | None = None) -> SyncResult:
    """Sync one integration now (in this process). If another sync of it holds the lock, this one is queued
    again for when the lock is free and returns at once ("waiting")."""
    lock = sync_lock(integration_id)
    if not lock.acquire(blocking=False):
        return _wait_for_lock(integration_id, "another sync holds the lock")
    try:
        clear_waiting(integration_id)  # the sync that waited (if one did) is this one
        with heartbeat(lock) as lost:
            return _sync_locked(integration_id, lost, retry)
    except SyncLockLost:
        log.warning("sync of integration %s stopped: its lock lapsed and may be another sync's", integration_id)
        return _wait_for_lock(integration_id, "lost the lock to another sync")
    finally:
        try:
            lock.release()
        except LockError:
            pass  # lapsed: nothing to release, nothing held to hand over
        else:
            _hand_over(integration_id)


def _wait_for_lock(integration_id: int, reason: str) -> SyncResult:
    """Queue this sync again for when the lock is free (its remaining TTL, plus a margin) and show the
    integration waiting. Retries of one integration collapse into the earliest."""
    remaining_ms = cast("int", get_redis().pttl(lock_name(integration_id)))  # -2: gone since, -1: no TTL
    wait_s = remaining_ms / 1000 if remaining_ms >= 0 else (0.0 if remaining_ms == -2 else LOCK_TTL_S)
    # In whole seconds, rounded up: RQ's scheduler keeps no finer time, and would round down (too early).
    retry_at = _next_second(utcnow() + timedelta(seconds=wait_s + RETRY_MARGIN_S))
    enqueue.sync_at(integration_id, retry_at)
    waiting = mark_waiting(integration_id, retry_at)
    log.info("sync of integration %s waits (%s); retrying at %s", integration_id, reason, waiting.retry_at.isoformat())
    return SyncResult(integration_id, status="waiting", reason=reason, retry_at=waiting.retry_at)


def _next_second(moment: datetime) -> datetime:
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


def _hand_over(integration_id: int) -> None:
    """The lock is free: a sync that waited for it runs now rather than at its retry time."""
    try:
        waiting = waiting_sync(integration_id)
        now = utcnow()
        if waiting is not None and waiting.retry_at > now + timedelta(seconds=HAND_OVER_AHEAD_S):
            enqueue.sync_at(integration_id, now)  # replaces the later retry
            mark_waiting(integration_id, now)
    except RedisError as exc:  # the waiting sync still runs at its retry time
        log.warning("could not hand over the sync lock of integration %s: %s", integration_id, exc)


def _sync_locked(integration_id: int, lost: threading.Event, retry: RetryPolicy | None) -> SyncResult:
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
            activity = _new_agents_activity(connector, integration_id, agents)
            with session_scope() as session:
                result.agents, result.agents_offline = _store_agents(session, integration_id, agents, activity)
            for page in prefetched(connector.list_calls(cursor or None)):
                if lost.is_set():  # another sync may be storing pages now: leave them to it
                    raise SyncLockLost
                intake = _store_page(integration_id, page.records, page.cursor, events_since)
                result.intake.merge(intake)
                result.pages += 1
                result.new_calls += len(intake.new_call_ids)
                result.updated_calls += len(intake.updated_call_ids)
                result.skipped_unmonitored += intake.skipped_unmonitored
    except PlatformAuthError as exc:
        return _finish(result, started, error=auth_error_message(platform, exc.status_code))
    except SyncInterrupted:
        result.status, result.reason = "skipped", "disconnected during the sync"
        return result
    except SyncLockLost:
        raise  # not the sync's failure: it waits for the lock again (sync_integration)
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


def _new_agents_activity(connector: Connector, integration_id: int, records: list[AgentRecord]) -> dict[str, int]:
    """Recent calls per listed agent not stored yet (platform agent id → count), asked of the platform only
    when the plan cannot monitor every agent: what ranks a new account's agents, whose calls are not stored."""
    with session_scope() as session:
        integration = session.get(Integration, integration_id)
        if integration is None:
            return {}
        org = session.get_one(Organization, integration.organization_id)
        limit = effective_plan(org).agents
        if limit is None:
            return {}
        known = set(
            session.exec(
                select(Agent.platform_agent_id).where(
                    Agent.organization_id == org.id, Agent.platform == integration.platform
                )
            )
        )
        competing = session.exec(
            select(func.count()).select_from(Agent).where(Agent.organization_id == org.id, Agent.monitoring != "off")
        ).one()
    new = [
        r.platform_agent_id for r in records if r.platform_agent_id not in known and is_storable(r.platform_agent_id)
    ]
    if not new or competing + len(new) <= limit:
        return {}
    since = utcnow() - ACTIVITY_WINDOW
    return {agent_id: connector.count_recent_calls(agent_id, since) for agent_id in new}


def _store_agents(
    session: Session, integration_id: int, records: list[AgentRecord], activity: dict[str, int] | None = None
) -> tuple[int, int]:
    """Upsert the listed agents; mark this integration's agents that are no longer listed offline; apply the
    plan's limits (`activity`: recent calls of new agents on the platform, by platform agent id)."""
    integration = session.get(Integration, integration_id)
    if integration is None:  # deleted since the sync started
        raise SyncInterrupted
    org = session.get_one(Organization, integration.organization_id)  # exists: the integration's foreign key
    lock_plan_limits(session, org)  # before any agent row: see lock_plan_limits
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
    session.flush()
    counts = activity or {}
    hints = {pk(agent): counts[agent.platform_agent_id] for agent in _agents_of(session, org, integration, counts)}
    apply_plan_limits(session, org, activity=hints)
    return len(records), offline


def _agents_of(session: Session, org: Organization, integration: Integration, activity: dict[str, int]) -> list[Agent]:
    if not activity:
        return []
    return list(
        session.exec(
            select(Agent).where(
                Agent.organization_id == org.id,
                Agent.platform == integration.platform,
                col(Agent.platform_agent_id).in_(list(activity)),
            )
        )
    )


def _has_built_agents(session: Session, integration_id: int) -> bool:
    """Whether the integration has agents deployed from the Agent Builder (their drift is checked)."""
    return (
        session.exec(
            select(Agent.id).where(Agent.integration_id == integration_id, col(Agent.deployed_version).is_not(None))
        ).first()
        is not None
    )


def _finish(result: SyncResult, started: datetime, *, error: str | None = None) -> SyncResult:
    """Record the outcome on the integration (the cursor was saved with each page already)."""
    built_here = False
    with session_scope() as session:
        integration = session.get(Integration, result.integration_id)
        if integration is not None:
            built_here = not error and _has_built_agents(session, result.integration_id)
            integration.last_sync_at = started
            if error:
                integration.status, integration.last_error = "error", error
            else:
                integration.status, integration.last_error = "active", None
                integration.last_good_sync_at = started
            session.add(integration)
    if error:
        log.warning("sync of integration %s failed: %s", result.integration_id, error)
    elif built_here:
        enqueue.drift_check(result.integration_id)  # agents built here: edited in the vendor's console since?
    result.status, result.error = ("error", error) if error else ("active", None)
    return result
