"""Re-deriving stored calls from their raw platform payloads, with today's mapping.

Each call keeps its latest raw platform object (`store.store_payloads`). When a mapper learns to read
a field it used to drop, `remap_calls` maps the stored payloads again and stores the result through the
same upsert a sync uses: no request to the platform. Batches of `batch` calls, one transaction each,
walked by call id (so a run can be stopped and started again); idempotent: a second run changes
nothing. Calls whose stored values changed are queued for scoring (the scorer rescores only when its
inputs changed) and their agents' stats refreshed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from voiceconsole import enqueue
from voiceconsole.db import after_commit, session_scope
from voiceconsole.models import Call, CallPayload, Organization
from voiceconsole.platforms.base import PLATFORMS, CallRecord
from voiceconsole.platforms.registry import connector_class
from voiceconsole.services.intake.store import CALL_UPDATABLE, read_payload, ready_for_scoring, upsert_calls

log = logging.getLogger(__name__)
# What a remap may change; updated_at always moves and says nothing.
_COMPARED = tuple(c for c in CALL_UPDATABLE if c != "updated_at")
_ATTRIBUTES = {"metadata": "call_metadata"}  # column → model attribute where they differ


@dataclass
class RemapOutcome:
    seen: int = 0  # stored payloads read
    changed: int = 0  # calls whose stored values changed
    failed: int = 0  # payloads today's mapper refuses (logged by call id)
    rescoring: int = 0  # changed calls queued for scoring
    failures: list[str] = field(default_factory=list)  # public ids of the calls that failed (first 20)


def remap_calls(
    *,
    platform: str | None = None,
    since: datetime | None = None,
    batch: int = 500,
    progress: Callable[[RemapOutcome], None] | None = None,
) -> RemapOutcome:
    """Map stored payloads again (of one platform, of calls started at or after `since`) and store them."""
    if platform is not None and platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    outcome = RemapOutcome()
    after = 0
    while True:
        after = _remap_batch(outcome, platform=platform, since=since, after=after, batch=batch)
        if progress is not None:
            progress(outcome)
        if not after:
            return outcome


def _remap_batch(outcome: RemapOutcome, *, platform: str | None, since: datetime | None, after: int, batch: int) -> int:
    """One batch in one transaction; the last call id handled, or 0 when there was nothing left."""
    with session_scope() as session:
        query = (
            select(Call, CallPayload)
            .join(CallPayload, col(CallPayload.call_id) == col(Call.id))
            .where(col(Call.id) > after)
            .order_by(col(Call.id))
            .limit(batch)
        )
        if platform is not None:
            query = query.where(Call.platform == platform)
        if since is not None:
            query = query.where(col(Call.started_at) >= since)
        rows = session.exec(query).all()
        if not rows:
            return 0
        before: dict[int, tuple[Any, ...]] = {}
        groups: dict[tuple[int, int | None], list[CallRecord]] = {}
        for call, stored in rows:
            outcome.seen += 1
            try:
                record = connector_class(call.platform).remap(stored.source, read_payload(stored))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                outcome.failed += 1
                if len(outcome.failures) < 20:
                    outcome.failures.append(call.public_id)
                log.warning("could not remap call %s (%s payload): %s", call.public_id, stored.source, exc)
                continue
            if record.platform_call_id != call.platform_call_id:  # a payload must describe its own call
                outcome.failed += 1
                log.warning("stored payload of call %s names another call; left as it was", call.public_id)
                continue
            before[call.id or 0] = _values(call)
            groups.setdefault((call.organization_id, call.integration_id), []).append(record)
        last = rows[-1][0].id or 0
        changed: list[int] = []
        ready: list[int] = []
        agents: set[int] = set()
        for (org_id, integration_id), records in groups.items():
            org = session.get_one(Organization, org_id)
            result = upsert_calls(
                session, org=org, records=records, integration_id=integration_id, only_monitored=False
            )
            by_key: dict[tuple[str, str], CallRecord] = {(r.platform, r.platform_call_id): r for r in records}
            for call_id, key in result.call_keys.items():
                call = session.get_one(Call, call_id)
                session.refresh(call)
                if _values(call) == before.get(call_id):
                    continue
                changed.append(call_id)
                if call.agent_id:
                    agents.add(call.agent_id)
                if ready_for_scoring(by_key[key]):
                    ready.append(call_id)
        outcome.changed += len(changed)
        outcome.rescoring += len(ready)
        if ready or agents:
            after_commit(session, lambda: _follow_up(ready, agents))
        return last


def _values(call: Call) -> tuple[Any, ...]:
    return tuple(getattr(call, _ATTRIBUTES.get(c, c)) for c in _COMPARED)


def _follow_up(ready: list[int], agents: set[int]) -> None:
    if ready:
        enqueue.scoring(ready)
    if agents:
        enqueue.agent_stats(agents)
