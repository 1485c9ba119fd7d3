"""Sync throughput: calls per second from the platform simulator into PostgreSQL, over real HTTP,
next to a raw bulk insert (COPY) of the same rows in the same run.

What is timed
-------------
1. **Sync**: `services.intake.sync.sync_integration` (the body of the RQ sync job) for one integration whose
   base URL is the simulator, run in a separate process so the two do not share a GIL. Everything
   the product does per page is included: HTTP pages with the platform's real pagination, mapping,
   the upsert (`ingest.upsert_calls`), `call.new` events, the cursor saved in the same transaction,
   scoring and agent-stats jobs queued in Redis after each commit.
2. **Raw insert**: the same calls, mapped and turned into `ingest.call_row` dicts beforehand (not
   timed), then written with one `COPY call (...) FROM STDIN` into a second organization. That is
   the fastest way PostgreSQL takes these rows; the target is sync >= 25% of its rate.

Usage
-----
    .venv/bin/python benchmarks/sync_throughput.py                    # 100,000 Vapi calls
    .venv/bin/python benchmarks/sync_throughput.py --platform retell  # Retell: list + get-call per call
    .venv/bin/python benchmarks/sync_throughput.py --calls 10000 --no-results   # quick look

PostgreSQL: `--server` (default postgresql://postgres@127.0.0.1:5432, a superuser: the database
`--db` (default vc_sync_bench) is dropped and recreated, and dropped again at the end unless --keep-db).
Redis: `REDIS_URL`, else database 3 of a Redis on 127.0.0.1:6379, else the embedded one; the queues
the sync fills (scoring, default) are emptied at the end.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform as host_platform
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))

SIM_KEYS = {"retell": "sim_retell_key", "vapi": "sim_vapi_key", "elevenlabs": "sim_elevenlabs_key"}
JSON_COLUMNS = {"transcript_turns", "platform_analysis", "metadata"}


# ------------------------------------------------------------------------------------------ simulator


def _simulator_state(platform: str, calls: int, agents: int, seed: int, now: datetime):
    from voiceconsole.platforms.simulator.state import SimulatorState

    return SimulatorState(seed=seed, agents_per_platform=agents, calls_per_platform={platform: calls}, days=90, now=now)


def _serve_simulator(port: int, platform: str, calls: int, agents: int, seed: int, now_iso: str) -> None:
    """Child process: generate the platform's data and serve the simulator."""
    import uvicorn

    from voiceconsole.platforms.simulator.server import create_app

    state = _simulator_state(platform, calls, agents, seed, datetime.fromisoformat(now_iso))
    state.data(platform)
    uvicorn.run(create_app(state), host="127.0.0.1", port=port, log_level="warning")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, timeout_s: float, proc) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not proc.is_alive():
            raise RuntimeError("the simulator process exited")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the simulator did not answer within {timeout_s:.0f} s")


# ------------------------------------------------------------------------------------------ database


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


def _redis_url() -> str | None:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return "redis://127.0.0.1:6379/3"  # its own database: emptying our queues touches nothing else
    except OSError:
        return None


# ------------------------------------------------------------------------------------------ the runs


def run_sync(platform: str, base_url: str) -> tuple[dict, float, int]:
    from voiceconsole.db import session_scope
    from voiceconsole.services import accounts, integrations
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.intake.sync import sync_integration

    with session_scope() as session:
        org = accounts.create_organization(session, name="Sync bench", plan="agency")
        integration = integrations.create_integration(
            session,
            org=org,
            platform=platform,
            api_key=SIM_KEYS[platform],
            label="bench",
            base_url=f"{base_url}/{platform}",
            actor=SYSTEM,
        )
        integration_id, org_id = integration.id, org.id
    from voiceconsole.redis_client import get_redis
    from voiceconsole.services.intake.sync import lock_name

    get_redis().delete(lock_name(integration_id))  # an interrupted earlier run may have left its lock
    t0 = time.perf_counter()
    result = sync_integration(integration_id)
    elapsed = time.perf_counter() - t0
    if result.status != "active":
        raise RuntimeError(f"sync failed: {result.summary()}")
    return result.summary(), elapsed, org_id


def prepare_rows(platform: str, state, org_id: int) -> tuple[list[str], list[tuple]]:
    """The same calls as `call_row` values for a second organization (mapping is not timed)."""
    from psycopg.types.json import Jsonb

    from voiceconsole.db import session_scope
    from voiceconsole.models import Organization
    from voiceconsole.platforms.registry import connector_class
    from voiceconsole.services.intake.store import call_row, upsert_agent

    mapper = sys.modules[connector_class(platform).__module__]
    data = state.data(platform)
    numbers = {n["id"]: n["number"] for n in state.vapi_phone_numbers()} if platform == "vapi" else {}
    with session_scope() as session:
        org = session.get(Organization, org_id)
        agents = {}
        for raw in data.agents.values():
            agent = upsert_agent(session, org=org, record=mapper.map_agent(raw))
            agents[agent.platform_agent_id] = agent
        session.flush()
        columns: list[str] = []
        rows = []
        for raw in data.calls.by_id.values():
            if platform == "vapi" and raw.get("phoneNumberId") in numbers:
                raw = {**raw, "phoneNumber": {"number": numbers[raw["phoneNumberId"]]}}
            record = mapper.map_call(raw)
            row = call_row(org_id, record, agents.get(record.platform_agent_id), None)
            columns = columns or list(row)
            rows.append(tuple(Jsonb(row[c]) if c in JSON_COLUMNS else row[c] for c in columns))
    return columns, rows


def run_copy(dsn: str, columns: list[str], rows: list[tuple]) -> float:
    import psycopg

    t0 = time.perf_counter()
    with psycopg.connect(_plain(dsn)) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY call ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
    return time.perf_counter() - t0


def count_calls(org_id: int) -> int:
    from sqlalchemy import func
    from sqlmodel import select

    from voiceconsole.db import session_scope
    from voiceconsole.models import Call

    with session_scope() as session:
        return session.exec(select(func.count()).select_from(Call).where(Call.organization_id == org_id)).one()


# ------------------------------------------------------------------------------------------ report


def section(args, summary: dict, sync_s: float, copy_s: float, calls: int, pg_version: str) -> str:
    from voiceconsole.platforms.registry import connector_class

    page_size = args.page_size or connector_class(args.platform).page_size
    sync_rate, copy_rate = calls / sync_s, calls / copy_s
    ratio = sync_rate / copy_rate
    verdict = "met" if ratio >= 0.25 else "NOT met"
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    return f"""
## Platform sync throughput (`benchmarks/sync_throughput.py`) — {day}

{calls:,} {args.platform} calls synced from the platform simulator (separate process, real HTTP on
127.0.0.1) into PostgreSQL {pg_version} by `services.intake.sync.sync_integration` (the RQ sync job's body), next to
one `COPY` of the same rows (`services.intake.store.call_row`, prepared beforehand) into another organization, same run.
Machine: {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f} at the end: other work shares them),
Python {host_platform.python_version()}; page size {page_size} calls ({summary["pages"]} pages); connector
retries/backoff at their defaults.

| | seconds | calls/s |
|---|---:|---:|
| Sync (HTTP pages → map → upsert + events + cursor, per page; jobs queued) | {sync_s:,.1f} | {sync_rate:,.0f} |
| Raw bulk insert (`COPY call FROM STDIN`) | {copy_s:,.1f} | {copy_rate:,.0f} |

Sync runs at **{ratio:.0%}** of the raw insert rate (target ≥ 25%: {verdict}). Stored calls after the
sync: {summary["newCalls"]:,} new, {summary["updatedCalls"]:,} updated, agents {summary["agents"]}.
Reproduce: `.venv/bin/python benchmarks/sync_throughput.py --platform {args.platform} --calls {calls}`.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", default=os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432"))
    ap.add_argument("--db", default="vc_sync_bench")
    ap.add_argument("--platform", default="vapi", choices=("retell", "vapi", "elevenlabs"))
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--agents", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--page-size", type=int, default=None, help="list page size (default: the connector's)")
    ap.add_argument("--results", type=Path, default=BENCH_DIR / "RESULTS.md")
    ap.add_argument("--no-results", action="store_true", help="print the section but do not append it")
    ap.add_argument("--keep-db", action="store_true", help="leave the database in place afterwards")
    args = ap.parse_args()

    dsn = _recreate_database(args.server, args.db)
    os.environ["DATABASE_URL"] = dsn
    os.environ["VOICECONSOLE_ALLOW_PRIVATE_TARGETS"] = "1"
    os.environ.setdefault("VOICECONSOLE_DATA_DIR", str(BENCH_DIR / ".data"))
    if args.page_size:
        os.environ["VOICECONSOLE_PLATFORM_PAGE_SIZE"] = str(args.page_size)
    redis_url = _redis_url()
    if redis_url:
        os.environ["REDIS_URL"] = redis_url

    from voiceconsole.migrations import upgrade

    upgrade("head")
    now = datetime.now(UTC).replace(microsecond=0)
    port = _free_port()
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(
        target=_serve_simulator,
        daemon=True,
        args=(port, args.platform, args.calls, args.agents, args.seed, now.isoformat()),
    )
    proc.start()
    try:
        base_url = f"http://127.0.0.1:{port}"
        print(f"simulator: generating {args.calls:,} {args.platform} calls…", flush=True)
        _wait_for(f"{base_url}/_sim/state", 900, proc)
        print("sync…", flush=True)
        summary, sync_s, sync_org = run_sync(args.platform, base_url)
        stored = count_calls(sync_org)
        print(f"  {stored:,} calls in {sync_s:,.1f} s = {stored / sync_s:,.0f} calls/s  {summary}", flush=True)
        if stored != args.calls:
            raise RuntimeError(f"expected {args.calls} calls after the sync, found {stored}")
    finally:
        proc.terminate()
        proc.join(10)

    print("raw COPY of the same rows…", flush=True)
    from voiceconsole.db import session_scope
    from voiceconsole.services import accounts

    with session_scope() as session:
        raw_org = accounts.create_organization(session, name="Copy bench", plan="agency").id
    columns, rows = prepare_rows(
        args.platform, _simulator_state(args.platform, args.calls, args.agents, args.seed, now), raw_org
    )
    copy_s = run_copy(dsn, columns, rows)
    if count_calls(raw_org) != args.calls:
        raise RuntimeError("the COPY did not store every call")
    print(f"  {len(rows):,} rows in {copy_s:,.1f} s = {len(rows) / copy_s:,.0f} rows/s", flush=True)

    from voiceconsole.db import get_engine
    from voiceconsole.enqueue import get_queue

    with get_engine().connect() as conn:
        pg_version = conn.exec_driver_sql("SHOW server_version").scalar().split(" ")[0]
    for name in ("scoring", "default"):
        get_queue(name).empty()
    text = section(args, summary, sync_s, copy_s, args.calls, pg_version)
    print(text)
    if not args.no_results:
        with open(args.results, "a") as f:
            f.write(text)
    get_engine().dispose()
    if not args.keep_db:
        _drop_database(args.server, args.db)


if __name__ == "__main__":
    main()
