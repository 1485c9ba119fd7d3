"""A lead import whose job was lost (Redis flushed, its worker gone) is queued again by the campaign tick's
upkeep and finishes, resuming where it stopped; one still waiting for its job is left alone."""

from __future__ import annotations

import io
import secrets
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.support.simulator import run_jobs
from voiceconsole.models import LeadImport
from voiceconsole.models.types import utcnow
from voiceconsole.services.access.actor import SYSTEM
from voiceconsole.services.campaigns import imports, upkeep

pytestmark = pytest.mark.usefixtures("no_jobs_left_behind")


def _import(db, org, rows: int = 50) -> LeadImport:
    content = "phone,first\n" + "".join(f"+1415{3000000 + i:07d},Lead {i}\n" for i in range(rows))
    out = imports.start_import(
        db,
        org=org,
        actor=SYSTEM,
        file=io.BytesIO(content.encode()),
        filename="lost.csv",
        mapping={"phone": "phone", "firstName": "first"},
        options=imports.ImportOptions(),
    )
    db.commit()  # the job is queued now
    return db.exec(select(LeadImport).where(LeadImport.public_id == out.id)).one()


def _lose_every_job() -> None:
    from voiceconsole.enqueue import all_queues

    for queue in all_queues():
        queue.empty()


def _waiting(import_id: int) -> bool:
    """Is this import's job in the queue? (Other tests' unfinished imports may share the database: the sweep is
    global, so what it did is read per import, not from its count.)"""
    from voiceconsole.enqueue import get_queue, scoped

    return scoped(f"lead-import-{import_id}") in get_queue("default").job_ids


def test_an_import_whose_job_was_lost_finishes_after_the_sweep(db, factory):
    from voiceconsole.enqueue import get_queue

    org = factory.org()
    imp = _import(db, org)
    _lose_every_job()  # Redis flushed: the import stays pending with no job
    later = utcnow() + upkeep.IMPORT_GRACE + timedelta(seconds=1)
    upkeep.requeue_lost_imports(db, now=utcnow())
    assert not _waiting(imp.id)  # too young to be called lost
    assert upkeep.requeue_lost_imports(db, now=later) >= 1
    assert _waiting(imp.id)
    waiting = len(get_queue("default").job_ids)
    upkeep.requeue_lost_imports(db, now=later)
    assert len(get_queue("default").job_ids) == waiting  # its job waits: nothing more
    run_jobs("default")
    db.refresh(imp)
    assert (imp.status, imp.rows_done, imp.created_count) == ("done", 50, 50)
    upkeep.requeue_lost_imports(db, now=later)
    assert not _waiting(imp.id)  # done: never asked for again


def test_the_campaign_tick_runs_the_sweep(db, factory, monkeypatch):
    from voiceconsole import enqueue

    org = factory.org()
    imp = _import(db, org)
    imp.status = "running"  # its worker died mid-way and its job is gone with Redis
    db.add(imp)
    db.commit()
    _lose_every_job()
    monkeypatch.setattr(upkeep, "IMPORT_GRACE", timedelta(0))
    assert enqueue.campaign_dispatch(now=3_000_000.0 + secrets.randbelow(10**6) * 15) is True  # a fresh bucket
    run_jobs("default")  # the tick's job queues the import's, which the same burst worker then runs
    db.refresh(imp)
    assert imp.status == "done" and imp.rows_done == 50
