"""Which integrations are due for their periodic sync, and enqueueing those syncs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_
from sqlmodel import select

from voiceconsole.db import session_scope
from voiceconsole.models import Integration
from voiceconsole.models.types import utcnow
from voiceconsole.settings import get_settings


def due_integration_ids() -> list[int]:
    cutoff = utcnow() - timedelta(seconds=get_settings().sync_interval_s)
    with session_scope() as session:
        return list(session.exec(
            select(Integration.id).where(
                Integration.disconnected_at.is_(None),
                or_(Integration.last_sync_at.is_(None), Integration.last_sync_at < cutoff),
            )
        ))


def enqueue_due_syncs() -> dict:
    """Enqueue one sync per due integration. The sync job itself arrives with the connectors."""
    ids = due_integration_ids()
    enqueued = []
    try:
        from voiceconsole.jobs.sync import enqueue_sync  # provided by the connectors work
    except ImportError:
        return {"due": ids, "enqueued": []}
    for integration_id in ids:
        if enqueue_sync(integration_id):
            enqueued.append(integration_id)
    return {"due": ids, "enqueued": enqueued}
