"""Lead import throughput and memory: 100,000 leads from a CSV file through the import, next to a raw
PostgreSQL `COPY` of the same rows in the same run.

What is timed
-------------
1. **Upload** (`services.campaigns.imports.start_import`, what `POST /api/v1/leads/import` does): the file
   read from disk in chunks, checked whole (UTF-8, CSV, mapped columns), stored in `lead_import_chunk`.
2. **Job** (`jobs.leads.lead_import_job`, the RQ job's body, in this process): the stored file streamed back,
   every row validated (phonenumbers, email-validator, time zone derived from the number), merged by phone
   in batches of 1,000 with the do-not-call check, progress committed per batch.
3. **Raw COPY**: the same rows, already in E.164 with their zones (prepared beforehand, not timed), written
   with one `COPY lead (...) FROM STDIN` into another organization: the fastest PostgreSQL takes them.

Memory: peak of Python allocations (tracemalloc) during upload and job, for the full file and for a file half
its size (`--small-rows`; separate runs, untimed: tracemalloc slows Python down). Flat in the file size means
the two peaks are close.

CPU: the benchmark process's own CPU time during the job (validation, statements built and sent) is printed
next to the wall time: on a shared machine the wall time moves with the load, the CPU time much less.

Usage
-----
    .venv/bin/python benchmarks/lead_import.py                 # 100,000 rows, appends to RESULTS.md
    .venv/bin/python benchmarks/lead_import.py --rows 10000 --no-results

PostgreSQL: `--server` (default postgresql://postgres@127.0.0.1:5432, a superuser: the database `--db`
(default vc_lead_bench) is dropped and recreated, and dropped at the end unless --keep-db).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform as host_platform
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Linus"]
AREAS = ["212", "415", "312", "617", "206", "305", "512", "303", "404", "702"]  # spread over US zones
MAPPING = {
    "phone": "Phone",
    "firstName": "First name",
    "lastName": "Last name",
    "email": "Email",
    "company": "Company",
    "custom.plan": "Plan",
}


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _recreate_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(_plain(server.rstrip("/") + "/postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server.rstrip('/')}/{name}"


def _drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_plain(server.rstrip("/") + "/postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def write_csv(path: Path, rows: int) -> None:
    """A realistic file: national-format US numbers (the region reads them), names, emails, a custom field."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Phone", "First name", "Last name", "Email", "Company", "Plan"])
        for i in range(rows):
            area = AREAS[i % len(AREAS)]
            number = f"({area}) {200 + (i // 10000) % 800:03d}-{i % 10000:04d}"
            first = FIRST[i % len(FIRST)]
            writer.writerow(
                [number, first, f"Lead{i}", f"{first.lower()}.{i}@example.com", f"Company {i % 997}", "gold"]
            )


def _org(name: str):
    from voiceconsole.db import session_scope
    from voiceconsole.services import accounts

    with session_scope() as session:
        org = accounts.create_organization(session, name=name, plan="agency")
        session.flush()
        return org


def run_import(path: Path, org) -> tuple[float, float, dict]:
    """(upload seconds, job seconds, the job's outcome)."""
    from sqlmodel import Session, select

    from voiceconsole.db import get_engine
    from voiceconsole.jobs.leads import lead_import_job
    from voiceconsole.models import LeadImport
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns import imports

    t0 = time.perf_counter()
    with Session(get_engine(), expire_on_commit=False) as session, path.open("rb") as f:
        started = imports.start_import(
            session,
            org=org,
            actor=SYSTEM,
            file=f,
            filename=path.name,
            mapping=MAPPING,
            options=imports.ImportOptions(tags=["benchmark"]),
        )
        session.info.clear()  # the job runs here, below: no job queued on commit
        session.commit()
        import_id = session.exec(select(LeadImport.id).where(LeadImport.public_id == started.id)).one()
    upload_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    outcome = lead_import_job(import_id)
    return upload_s, time.perf_counter() - t1, outcome


def peak_memory(path: Path, org) -> int:
    tracemalloc.start()
    try:
        run_import(path, org)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def raw_copy(path: Path, org_id: int) -> float:
    """COPY of the same rows into another organization (values prepared beforehand, not timed)."""
    import psycopg

    from voiceconsole.models.types import public_id
    from voiceconsole.services.campaigns import phones

    now = datetime.now(UTC).isoformat()
    buffer = io.StringIO()
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for phone, first, last, email, company, plan in reader:
            e164 = phones.parse_phone(phone, "US")
            zone = phones.timezone_of(e164) or ""
            custom = json.dumps({"plan": plan})
            buffer.write(
                "\t".join(
                    [public_id("lead"), str(org_id), e164, first, last, email, company, zone, custom, "new", now, now]
                )
                + "\n"
            )
    data = buffer.getvalue()
    columns = (
        "public_id, organization_id, phone, first_name, last_name, email, company, timezone, custom_fields, "
        "status, created_at, updated_at"
    )
    url = _plain(os.environ["DATABASE_URL"])
    with psycopg.connect(url) as conn:
        t0 = time.perf_counter()
        with conn.cursor() as cur, cur.copy(f"COPY lead ({columns}) FROM STDIN") as copy:
            copy.write(data)
        conn.commit()
        return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", default=os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432"))
    ap.add_argument("--db", default="vc_lead_bench")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--small-rows", type=int, default=None, help="the smaller file's rows (default: half)")
    ap.add_argument("--results", type=Path, default=BENCH_DIR / "RESULTS.md")
    ap.add_argument("--no-results", action="store_true")
    ap.add_argument("--keep-db", action="store_true")
    args = ap.parse_args()

    os.environ["DATABASE_URL"] = _recreate_database(args.server, args.db)
    os.environ.setdefault("VOICECONSOLE_DATA_DIR", str(BENCH_DIR / ".data"))
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
    from voiceconsole.migrations import upgrade

    upgrade("head")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            big, small = Path(tmp) / "leads.csv", Path(tmp) / "leads-small.csv"
            write_csv(big, args.rows)
            small_rows = args.small_rows or max(1, args.rows // 2)
            write_csv(small, small_rows)
            size_mb = big.stat().st_size / 1e6
            print(f"file: {args.rows:,} rows, {size_mb:.1f} MB", flush=True)
            load_start = os.getloadavg()[0]
            cpu0 = time.process_time()
            upload_s, job_s, outcome = run_import(big, _org("Import bench"))
            cpu_s = time.process_time() - cpu0
            print(f"import: upload {upload_s:.2f}s, job {job_s:.2f}s, CPU {cpu_s:.2f}s, {outcome}", flush=True)
            copy_s = raw_copy(big, _org("Copy bench").id)
            print(f"copy: {copy_s:.2f}s", flush=True)
            load_end = os.getloadavg()[0]
            small_size = small.stat().st_size
            peak_small = peak_memory(small, _org("Memory bench small"))
            peak_big = peak_memory(big, _org("Memory bench big"))
            print(
                f"peak memory: {peak_small / 1e6:.1f} MB ({small.stat().st_size / 1e6:.1f} MB file), "
                f"{peak_big / 1e6:.1f} MB ({size_mb:.1f} MB file)",
                flush=True,
            )
    finally:
        from voiceconsole.db import get_engine

        get_engine().dispose()
        if not args.keep_db:
            _drop_database(args.server, args.db)

    import psycopg  # noqa: F401  (version below)

    total_s = upload_s + job_s
    small_mb = small_size / 1e6
    rate, job_rate, copy_rate = args.rows / total_s, args.rows / job_s, args.rows / copy_s
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    section = f"""
## Lead import (`benchmarks/lead_import.py`) — {day}

{args.rows:,} leads from a {size_mb:.1f} MB CSV (national-format US numbers over 10 area codes, names, emails, a
custom field) into PostgreSQL, through `imports.start_import` (the upload: whole-file check, stored in 1 MiB
chunks) and `jobs.leads.lead_import_job` (streamed back, validated, merged by phone in batches of 1,000,
do-not-call checked, progress committed per batch), next to one `COPY lead FROM STDIN` of the same rows
(E.164 and zones prepared beforehand, untimed) into another organization, same run.
Machine: {os.cpu_count()} cores, 1-minute load average {load_start:.1f} before the import and {load_end:.1f}
after the COPY (other work shares them: compare the two rates of this run, not runs of other days),
{host_platform.machine()}, Python {host_platform.python_version()}.

| | seconds | rows/s |
|---|---:|---:|
| Upload (read, check, store the file) | {upload_s:,.2f} | {args.rows / upload_s:,.0f} |
| Job (validate + merge + progress) | {job_s:,.2f} | {job_rate:,.0f} |
| **Import, upload + job** | {total_s:,.2f} | **{rate:,.0f}** |
| Import, this process's CPU time (upload + job) | {cpu_s:,.2f} | {args.rows / cpu_s:,.0f} |
| Raw `COPY lead FROM STDIN` | {copy_s:,.2f} | {copy_rate:,.0f} |

Target ≥ 5,000 rows/s: {"met" if rate >= 5000 else "NOT met"} ({rate / copy_rate:.0%} of the raw COPY rate).
Peak Python memory (tracemalloc, upload + job): **{peak_big / 1e6:.1f} MB** for {args.rows:,} rows
({size_mb:.1f} MB), {peak_small / 1e6:.1f} MB for {small_rows:,} rows ({small_mb:.1f} MB): flat in the file size
(the file is never held whole; one 1 MiB chunk and one batch of 1,000 rows at a time). Outcome: {outcome}.
Reproduce: `.venv/bin/python benchmarks/lead_import.py --rows {args.rows}`.
"""
    print(section)
    if not args.no_results:
        with args.results.open("a", encoding="utf-8") as f:
            f.write(section)


if __name__ == "__main__":
    main()
