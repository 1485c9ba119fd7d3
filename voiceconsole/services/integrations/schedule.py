"""Which integrations are due for their periodic sync (every `VOICECONSOLE_SYNC_INTERVAL_S`)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_
from sqlmodel import Session, select

from voiceconsole.models import Integration
from voiceconsole.models.types import utcnow
from voiceconsole.settings import get_settings


def due_integration_ids(session: Session) -> list[int]:
    """Connected integrations whose last sync is older than the interval (or that never synced)."""
    cutoff = utcnow() - timedelta(seconds=get_settings().sync_interval_s)
    return list(session.exec(
        select(Integration.id).where(
            Integration.disconnected_at.is_(None),
            or_(Integration.last_sync_at.is_(None), Integration.last_sync_at < cutoff),
        )
    ))
