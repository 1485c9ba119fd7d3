"""Lead imports as a job: thousands of rows streamed in batches, merged by phone, resumed after a crash."""

from __future__ import annotations

import io

import pytest
from sqlmodel import func, select

from tests.support.simulator import run_jobs
from voiceconsole.models import Lead, LeadImport, LeadImportChunk
from voiceconsole.services.access.actor import SYSTEM
from voiceconsole.services.campaigns import imports

pytestmark = pytest.mark.usefixtures("no_jobs_left_behind")


def _csv(rows: int, *, bad_every: int = 0, start: int = 0) -> bytes:
    lines = ["phone,first,company,plan"]
    for i in range(start, start + rows):
        phone = "bad" if bad_every and i % bad_every == 0 else f"+1415{2000000 + i:07d}"
        lines.append(f"{phone},Lead {i},Company {i % 50},{'gold' if i % 3 else 'silver'}")
    return ("\n".join(lines) + "\n").encode()


MAPPING = {"phone": "phone", "firstName": "first", "company": "company", "custom.plan": "plan"}


def _start(db, org, content: bytes) -> str:
    out = imports.start_import(
        db,
        org=org,
        actor=SYSTEM,
        file=io.BytesIO(content),
        filename="x.csv",
        mapping=MAPPING,
        options=imports.ImportOptions(tags=["bulk"]),
    )
    db.commit()
    return out.id


def _count(db, org) -> int:
    return db.exec(select(func.count()).select_from(Lead).where(Lead.organization_id == org.id)).one()


def test_five_thousand_rows_stream_through_the_job_in_chunks(db, factory, monkeypatch):
    org = factory.org()
    monkeypatch.setattr(imports, "CHUNK_BYTES", 16 * 1024)  # many chunks: rows and characters cross them
    content = _csv(5000, bad_every=97)
    import_id = _start(db, org, content)
    imp = db.exec(select(LeadImport).where(LeadImport.public_id == import_id)).one()
    chunks = db.exec(select(func.count()).select_from(LeadImportChunk).where(LeadImportChunk.import_id == imp.id)).one()
    assert chunks == -(-len(content) // (16 * 1024)) and imp.total_rows == 5000
    run_jobs("default")
    db.refresh(imp)
    bad = len(range(0, 5000, 97))
    assert (imp.status, imp.rows_done, imp.created_count, imp.error_count) == ("done", 5000, 5000 - bad, bad)
    assert _count(db, org) == 5000 - bad
    # The stored file is gone once done; the refused rows stay for the report.
    assert (
        db.exec(select(func.count()).select_from(LeadImportChunk).where(LeadImportChunk.import_id == imp.id)).one() == 0
    )
    # Importing an overlapping file again merges by phone: no duplicates, updates counted.
    again = _start(db, org, _csv(1000, start=4500))
    run_jobs("default")
    imp2 = db.exec(select(LeadImport).where(LeadImport.public_id == again)).one()
    refused_before = len([i for i in range(4500, 5000) if i % 97 == 0])  # created now
    assert (imp2.created_count, imp2.updated_count) == (500 + refused_before, 500 - refused_before)
    assert _count(db, org) == 5000 - bad + 500 + refused_before


def test_a_rerun_resumes_where_the_last_one_committed(db, factory, monkeypatch):
    org = factory.org()
    monkeypatch.setattr(imports, "BATCH_ROWS", 100)
    import_id = _start(db, org, _csv(1000))
    imp = db.exec(select(LeadImport).where(LeadImport.public_id == import_id)).one()
    real = imports._write_batch
    calls = {"n": 0}

    def dies_on_the_fourth(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise SystemExit("worker killed")  # not an Exception: the job does not record it as failed
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "_write_batch", dies_on_the_fourth)
    with pytest.raises(SystemExit):
        imports.run_import(imp.id)
    db.refresh(imp)
    assert (imp.status, imp.rows_done, _count(db, org)) == ("running", 300, 300)
    monkeypatch.setattr(imports, "_write_batch", real)
    outcome = imports.run_import(imp.id)
    assert (outcome.status, outcome.rows_done, outcome.created, outcome.updated) == ("done", 1000, 1000, 0)
    assert _count(db, org) == 1000


def test_an_unexpected_error_ends_the_import_failed_with_the_reason(db, factory, monkeypatch):
    org = factory.org()
    import_id = _start(db, org, _csv(10))
    imp = db.exec(select(LeadImport).where(LeadImport.public_id == import_id)).one()

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports, "upsert_leads", broken)
    outcome = imports.run_import(imp.id)
    db.refresh(imp)
    assert outcome.status == "failed" and imp.failure == "RuntimeError: disk on fire" and imp.finished_at
    assert imports.run_import(imp.id).status == "failed"  # left as it is
