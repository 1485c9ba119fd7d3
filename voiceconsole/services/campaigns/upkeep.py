"""The leads' safety net, run with every campaign dispatch tick (jobs/campaigns.py): an import whose job was lost
(Redis restarted or flushed, its worker killed and its retries spent) would stay `pending` or `running` forever.
Its job is asked for again; the rerun resumes at the last committed row (imports.run_import), and asking while a
job still waits or runs adds nothing more than one run behind it (enqueue.lead_import collapses them).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from voiceconsole import enqueue
from voiceconsole.models import LeadImport
from voiceconsole.models.types import id_column, utcnow

IMPORT_GRACE = timedelta(minutes=5)  # a new import's job normally starts within seconds and ends within minutes
UNFINISHED = ("pending", "running")


def requeue_lost_imports(session: Session, *, now: datetime | None = None) -> int:
    """Ask again for the job of every import unfinished `IMPORT_GRACE` after it was uploaded. Returns how many
    jobs were queued (none for imports whose job is still waiting)."""
    before = (now or utcnow()) - IMPORT_GRACE
    unfinished = session.exec(
        select(id_column(LeadImport)).where(col(LeadImport.status).in_(UNFINISHED), col(LeadImport.created_at) < before)
    ).all()
    return sum(1 for import_id in unfinished if enqueue.lead_import(import_id))
