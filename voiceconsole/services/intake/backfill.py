"""An agent's past calls, imported when it becomes monitored: plan limits lose nothing (issue 18, item 2).

While an agent is not monitored its calls are not stored (services/billing/monitoring.py). When it becomes
monitored (the agency swaps agents, the organization upgrades, a lapsed payment is paid), `apply_plan_limits`
asks for this backfill (`enqueue.backfill_agent`, jobs/backfill.py): every call of the agent is listed from
its platform (`Connector.list_agent_calls`: Retell list-calls filtered by agent, Vapi `GET /call?assistantId=`,
ElevenLabs conversations by `agent_id`) and stored through `store_calls`, as a sync page is: scored, with
`call.new` events only for calls of the last day (as a first sync), agent stats recomputed.

Promises:
- Never beside the integration's sync (or open-call poll): it takes the sync lock without waiting and, if a
  sync holds it, runs again once the lock's TTL has passed (`enqueue.backfill_agent_at`).
- Idempotent: storing is an upsert, so a backfill run twice (or over calls a sync stored) stores each once.
- Stops when the agent is no longer monitored, or its integration was disconnected, before the next page.
- A platform error fails the job, which RQ retries (the pages stored before it stay stored).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from voiceconsole import enqueue
from voiceconsole.db import session_scope
from voiceconsole.models import Agent, Integration, Organization
from voiceconsole.models.types import utcnow
from voiceconsole.platforms.base import CallRecord
from voiceconsole.platforms.connector import PlatformAuthError, RetryPolicy
from voiceconsole.services.intake.store import store_calls
from voiceconsole.services.intake.sync import LOCK_TTL_S, RETRY_MARGIN_S, sync_lock_if_free
from voiceconsole.services.integrations import auth_error_message, connector_for
from voiceconsole.services.net_guard import UnsafeTarget
from voiceconsole.services.notifications.events import NEWS_WINDOW

log = logging.getLogger(__name__)


@dataclass
class BackfillResult:
    agent_id: int
    status: str = "done"  # done | skipped | waiting (for the sync lock: runs again at retry_at) | error
    reason: str | None = None
    pages: int = 0
    new_calls: int = 0
    updated_calls: int = 0
    retry_at: datetime | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "agentId": self.agent_id,
            "status": self.status,
            "reason": self.reason,
            "pages": self.pages,
            "newCalls": self.new_calls,
            "updatedCalls": self.updated_calls,
            "retryAt": self.retry_at.isoformat() if self.retry_at else None,
        }


class _Stop(Exception):
    """The agent is no longer monitored, or its integration is gone: the rest of its calls wait."""


def backfill_agent(agent_id: int, *, retry: RetryPolicy | None = None) -> BackfillResult:
    """Import every past call of a monitored agent from its platform (module docstring)."""
    with session_scope() as session:
        agent = session.get(Agent, agent_id)
        skip = _why_not(session, agent)
        if skip or agent is None or agent.integration_id is None:
            if agent is not None:
                agent.backfill_pending = False  # nothing to import (not monitored, no integration)
                session.add(agent)
            return BackfillResult(agent_id, status="skipped", reason=skip)
        integration_id, platform_agent_id = agent.integration_id, agent.platform_agent_id
    with sync_lock_if_free(integration_id) as lost:
        if lost is None:
            return _wait(agent_id, "its integration's sync is running")
        return _backfill_locked(agent_id, integration_id, platform_agent_id, lost, retry)


def _why_not(session: Session, agent: Agent | None) -> str | None:
    if agent is None:
        return "deleted"
    if not agent.monitored:
        return "not monitored"
    if agent.integration_id is None:
        return "no integration to import from"
    integration = session.get(Integration, agent.integration_id)
    if integration is None or integration.disconnected_at is not None:
        return "its integration is disconnected"
    return None


def _wait(agent_id: int, reason: str) -> BackfillResult:
    retry_at = (utcnow() + timedelta(seconds=LOCK_TTL_S + RETRY_MARGIN_S)).replace(microsecond=0)
    enqueue.backfill_agent_at(agent_id, retry_at)
    log.info("backfill of agent %s waits (%s); retrying at %s", agent_id, reason, retry_at.isoformat())
    return BackfillResult(agent_id, status="waiting", reason=reason, retry_at=retry_at)


def _backfill_locked(
    agent_id: int, integration_id: int, platform_agent_id: str, lost: threading.Event, retry: RetryPolicy | None
) -> BackfillResult:
    result = BackfillResult(agent_id)
    events_since = utcnow() - NEWS_WINDOW  # past calls are not news: no call.new for them
    with session_scope() as session:
        integration = session.get_one(Integration, integration_id)
        try:
            connector = connector_for(integration, retry=retry)
        except UnsafeTarget as exc:
            return BackfillResult(agent_id, status="error", reason=f"The base URL is not allowed: {exc}")
    try:
        with connector:
            for page in connector.list_agent_calls(platform_agent_id):
                if lost.is_set():  # a sync may be storing pages now: start over once it is done
                    return _wait(agent_id, "lost the sync lock")
                records = [r for r in page.records if r.platform_agent_id == platform_agent_id]
                _store_page(agent_id, integration_id, records, events_since, result)
                result.pages += 1
    except _Stop as stop:
        result.status, result.reason = "skipped", str(stop)
    except PlatformAuthError as exc:  # the integration's sync shows it too; retrying would not help
        platform = connector.platform
        result.status, result.reason = "error", auth_error_message(platform, exc.status_code)
    if result.status in ("done", "skipped"):
        _done(agent_id)
    log.info("backfill of agent %s: %s", agent_id, result.summary())
    return result


def _done(agent_id: int) -> None:
    """No backfill is due for the agent any more (the upkeep stops asking)."""
    with session_scope() as session:
        agent = session.get(Agent, agent_id)
        if agent is not None and agent.backfill_pending:
            agent.backfill_pending = False
            session.add(agent)


def _store_page(
    agent_id: int, integration_id: int, records: list[CallRecord], events_since: datetime, result: BackfillResult
) -> None:
    with session_scope() as session:
        integration = session.get(Integration, integration_id, with_for_update=True)  # as a sync page locks it
        if integration is None or integration.disconnected_at is not None:
            raise _Stop("its integration is disconnected")
        agent = session.get(Agent, agent_id)
        if agent is None or not agent.monitored:
            raise _Stop("no longer monitored")
        if not records:
            return
        org = session.get_one(Organization, integration.organization_id)
        intake = store_calls(
            session, org=org, records=records, integration_id=integration_id, events_since=events_since
        )
        result.new_calls += len(intake.new_call_ids)
        result.updated_calls += len(intake.updated_call_ids)
