"""Which integrations are due for their periodic sync (every `VOICECONSOLE_SYNC_INTERVAL_S`)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from voiceconsole.models import Integration
from voiceconsole.models.types import id_column, utcnow
from voiceconsole.settings import get_settings


def due_integration_ids(session: Session) -> list[int]:
    """Connected integrations whose last sync is older than the interval (or that never synced)."""
    cutoff = utcnow() - timedelta(seconds=get_settings().sync_interval_s)
    return list(
        session.exec(
            select(id_column(Integration)).where(
                col(Integration.disconnected_at).is_(None),
                or_(col(Integration.last_sync_at).is_(None), col(Integration.last_sync_at) < cutoff),
            )
        )
    )
