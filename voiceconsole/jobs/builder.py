"""The Agent Builder's background work: after a sync, look for drift on the agents built here."""

from __future__ import annotations

from voiceconsole.db import session_scope
from voiceconsole.services.builder import check_integration


def drift_check_job(integration_id: int) -> int:
    with session_scope() as session:
        return check_integration(session, integration_id)
