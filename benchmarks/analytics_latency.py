#!/usr/bin/env python3
"""Analytics latency: `GET /api/analytics` (daily rollups) against the same numbers computed from the calls table.

    .venv/bin/python benchmarks/analytics_latency.py               # fresh `vc_analytics_bench`, 1,000,000 calls
    .venv/bin/python benchmarks/analytics_latency.py --keep        # reuse the loaded database, measure only
    .venv/bin/python benchmarks/analytics_latency.py --calls 50000 # a quick run

1. Load (skipped with --keep): the calls are generated and bulk-loaded by `benchmarks/api_latency.py`'s
   loader (demo generator -> platform mapper -> `ingest.call_row` -> COPY, synthetic scores), spread over
   the last --days days (default 365, so a 365-day range covers real data). COPY bypasses the product's
   ingestion, so the rollups are then built once with the product's own `rollups.rebuild_rollups`
   (timed: that is the backfill an existing installation runs in migration 0004).
2. API: uvicorn (1 worker) serving `voiceconsole.api.main:api`; sequential requests over one keep-alive
   httpx connection with an API key of the organization, paced under the agency plan's rate limits
   between requests (never inside the timed region); --warmup + --requests per range:
   7d, 30d, 90d and custom 365d (dateFrom = now - 365 days as a full timestamp, so the partial first
   days of both periods are read from the calls table: the hardest case).
3. Raw SQL: the same figures computed from the calls table (KPIs and the per-day series of the period,
   and the previous period's KPIs: two statements), timed with psycopg on one connection. The API's
   numbers are checked to be identical to the raw ones.
4. The incremental hook: `refresh_rollups_for_calls` for 500 calls of the last days (what one sync page
   costs), in a transaction that is rolled back.
5. Appends a dated section to benchmarks/RESULTS.md (earlier sections stay).

Targets: API p95 < 50 ms for every range; API median >= 10x faster than the raw scan at 90 days.
No caching anywhere: every request computes its answer from the database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / ".data"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH_DIR))

import api_latency as loader  # noqa: E402  (the calls loader, shared with the calls-API benchmark)

RANGES = ("7d", "30d", "90d", "custom365")
TARGET_P95_MS = 50.0
TARGET_SPEEDUP_90D = 10.0

# The figures of GET /api/analytics over the calls table, written out by hand (see services/analytics.py).
RAW_MEASURES = """
    count(*) AS calls,
    count(*) FILTER (WHERE status = 'ended') AS ended,
    count(*) FILTER (WHERE status = 'ended' AND successful) AS successful,
    count(*) FILTER (WHERE score IS NOT NULL AND NOT score_excluded) AS scored,
    coalesce(sum(score) FILTER (WHERE score IS NOT NULL AND NOT score_excluded), 0) AS score_sum,
    count(*) FILTER (WHERE status = 'ended' AND duration_ms IS NOT NULL) AS duration_count,
    coalesce(sum(duration_ms) FILTER (WHERE status = 'ended'), 0) AS duration_ms_sum,
    coalesce(sum(cost_usd), 0) AS cost,
    count(*) FILTER (WHERE sentiment = 'Positive') AS positive,
    count(*) FILTER (WHERE sentiment = 'Neutral') AS neutral,
    count(*) FILTER (WHERE sentiment = 'Negative') AS negative
"""
RAW_SERIES = (
    f"SELECT (started_at AT TIME ZONE 'UTC')::date AS day, {RAW_MEASURES} FROM call "
    "WHERE organization_id = %(org)s AND started_at >= %(start)s AND started_at < %(end)s GROUP BY 1"
)
RAW_PREVIOUS = (
    f"SELECT {RAW_MEASURES} FROM call "
    "WHERE organization_id = %(org)s AND started_at >= %(start)s AND started_at < %(end)s"
)
FIELDS = (
    "calls",
    "ended",
    "successful",
    "scored",
    "score_sum",
    "duration_count",
    "duration_ms_sum",
    "cost",
    "positive",
    "neutral",
    "negative",
)


def log(msg: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", flush=True)


def pctl(values: list[float], p: float) -> float:
    return loader.pctl(values, p)


def fmt_ms(ms: float) -> str:
    return f"{ms:.1f}" if ms < 100 else f"{ms:.0f}"


# ----------------------------------------------------------------------------------------------- load


def load_and_roll_up(args, url: str) -> dict:
    load_args = SimpleNamespace(
        server=args.server,
        db=args.db,
        calls=args.calls,
        days=args.days,
        seed=args.seed,
        workers=args.workers,
        slice_days=args.slice_days,
        load_with_indexes=False,
        scorer="synthetic",
    )
    rep = loader.load(load_args, url)
    info = {"load_s": rep.total_s, "calls": rep.calls}
    info.update(build_rollups(url))
    return info


def build_rollups(url: str) -> dict:
    import psycopg
    from sqlmodel import Session

    from voiceconsole.db import get_engine
    from voiceconsole.services.analytics.rollups import rebuild_rollups

    with psycopg.connect(url) as conn:
        org_id = conn.execute("SELECT id FROM organization WHERE slug = %s", (loader.ORG_SLUG,)).fetchone()[0]
    t0 = time.perf_counter()
    with Session(get_engine()) as session:
        rows = rebuild_rollups(session, organization_id=org_id)
        session.commit()
    rollup_s = time.perf_counter() - t0
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) call_daily_rollup")
    log(f"rollups rebuilt from the calls table: {rows:,} rows in {rollup_s:.1f}s")
    return {"rollup_s": rollup_s, "rollup_rows": rows}


# ----------------------------------------------------------------------------------------------- measure


def start_api(args, url: str, redis_url: str | None) -> subprocess.Popen:
    return loader.start_api(args, url, {"REDIS_URL": redis_url} if redis_url else {}, "uvicorn-analytics.log")


def params_for(name: str, now: datetime) -> dict:
    if name == "custom365":
        return {"range": "custom", "dateFrom": (now - timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    return {"range": name}


def time_api(client, pacer, params: dict, warmup: int, n: int) -> tuple[list[float], dict]:
    times, body = [], None
    for i in range(warmup + n):
        pacer.wait()
        t0 = time.perf_counter()
        r = client.get("/api/analytics", params=params)
        content = r.content
        el = (time.perf_counter() - t0) * 1000
        if r.status_code != 200:
            raise SystemExit(f"GET /api/analytics {params} -> {r.status_code}: {content[:300]!r}")
        if i >= warmup:
            times.append(el)
        body = r.json()
    return times, body


def time_raw(url: str, org_id: int, meta: dict, warmup: int, n: int) -> tuple[list[float], dict]:
    import psycopg

    start, end = meta["from"], meta["to"]
    prev = {"org": org_id, "start": meta["previousFrom"], "end": meta["previousTo"]}
    cur = {"org": org_id, "start": start, "end": end}
    times = []
    with psycopg.connect(url) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        for i in range(warmup + n):
            t0 = time.perf_counter()
            days = conn.execute(RAW_SERIES, cur).fetchall()
            before = conn.execute(RAW_PREVIOUS, prev).fetchone()
            conn.commit()
            if i >= warmup:
                times.append((time.perf_counter() - t0) * 1000)
    totals = {f: sum((row[1 + k] for row in days), Decimal(0) if f == "cost" else 0) for k, f in enumerate(FIELDS)}
    return times, {
        "current": totals,
        "previous": dict(zip(FIELDS, before, strict=True)),
        "days": {str(r[0]): r[1] for r in days},
    }


def figures(t: dict) -> dict:
    """The raw sums as the API shows them."""
    r1 = lambda v: None if v is None else round(v, 1)  # noqa: E731
    return {
        "totalCalls": t["calls"],
        "successRate": round(t["successful"] / t["ended"], 3) if t["ended"] else None,
        "avgScore": r1(t["score_sum"] / t["scored"]) if t["scored"] else None,
        "avgDuration": r1(t["duration_ms_sum"] / t["duration_count"] / 1000) if t["duration_count"] else None,
        "totalCost": float(Decimal(t["cost"]).quantize(Decimal("0.0001"))),
        "sentimentBreakdown": {"positive": t["positive"], "neutral": t["neutral"], "negative": t["negative"]},
    }


def check_same(name: str, api: dict, raw: dict) -> list[str]:
    data = api["data"]
    want = figures(raw["current"])
    problems = [f"{name}: {k} API {data[k]!r} != raw {v!r}" for k, v in want.items() if data[k] != v]
    prev = figures(raw["previous"])
    if data["trends"]["calls"]["previous"] != prev["totalCalls"]:
        problems.append(f"{name}: previous calls API {data['trends']['calls']['previous']} != raw {prev['totalCalls']}")
    if data["trends"]["cost"]["previous"] != prev["totalCost"]:
        problems.append(f"{name}: previous cost API {data['trends']['cost']['previous']} != raw {prev['totalCost']}")
    series = {p["t"]: p["calls"] for p in data["series"] if p["calls"]}
    if series != raw["days"]:
        problems.append(f"{name}: per-day calls differ on {len(set(series.items()) ^ set(raw['days'].items()))} days")
    return problems


def time_hook(url: str, org_id: int, batch: int = 500, runs: int = 20) -> list[float]:
    """refresh_rollups_for_calls for `batch` recent calls (like one sync page), rolled back each time."""
    import psycopg
    from sqlmodel import Session

    from voiceconsole.db import get_engine
    from voiceconsole.services.analytics.rollups import refresh_rollups_for_calls

    with psycopg.connect(url) as conn:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM call WHERE organization_id = %s ORDER BY started_at DESC NULLS LAST LIMIT %s",
                (org_id, batch * runs),
            ).fetchall()
        ]
    times = []
    for k in range(runs):
        chunk = ids[k * batch : (k + 1) * batch]
        with Session(get_engine()) as session:
            t0 = time.perf_counter()
            refresh_rollups_for_calls(session, chunk)
            times.append((time.perf_counter() - t0) * 1000)
            session.rollback()
    return times


# ----------------------------------------------------------------------------------------------- report


def write_section(
    args,
    machine: dict,
    data: dict,
    load_info: dict | None,
    rows: list[dict],
    hook_ms: list[float],
    problems: list[str],
    path: Path,
) -> str:
    now = datetime.now(UTC)
    passed_p95 = all(r["api_p95"] < TARGET_P95_MS for r in rows)
    r90 = next(r for r in rows if r["name"] == "90d")
    speedup = r90["raw_p50"] / r90["api_p50"]
    lines = [
        f"## Analytics API on daily rollups (`analytics_latency.py`) — {now:%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['mem']} RAM, PostgreSQL {machine['pg']} "
        f"(shared_buffers {machine['pg_settings']['shared_buffers']}, work_mem {machine['pg_settings']['work_mem']}, "
        f"jit {machine['pg_settings']['jit']}), Python {machine['python']}. Other engineers' benchmarks may have "
        f"been running on the same machine at the same time.",
        f"Data: database `{args.db}`, organization `{loader.ORG_SLUG}`, {data['calls']:,} calls over "
        f"{(data['started_max'] - data['started_min']).days + 1} days ({data['started_min']:%Y-%m-%d} – "
        f"{data['started_max']:%Y-%m-%d}), {data['agents']} agents, {data['clients']} clients; "
        f"{data['rollup_rows']:,} rollup rows ({data['rollup_size']}); calls table {data['table_size']} + indexes "
        f"{data['index_size']}.",
    ]
    if load_info:
        lines.append(
            f"Load: {load_info['calls']:,} calls by the `api_latency.py` loader in "
            f"{load_info['load_s']:.0f}s; "
            f"rollups built from the calls table by `rebuild_rollups` in {load_info['rollup_s']:.1f}s "
            f"({load_info['rollup_rows']:,} rows)."
        )
    lines += [
        f"Method: uvicorn, 1 worker, sequential keep-alive requests with an API key, {args.warmup} warm-up + "
        f"{args.requests} timed per range, paced under the rate limits outside the timed region. Raw SQL: the same "
        "figures from the calls table (per-day KPIs of the period + the previous period's KPIs; two statements, "
        "psycopg, one connection, same warm-up and count). Custom 365d uses dateFrom = now − 365 days as a "
        "timestamp, so partial first days are read from calls.",
        "",
        "| Range | Calls in range | API median ms | API p95 ms | Raw SQL median ms | Raw SQL p95 ms "
        "| Raw / API (median) | p95 < 50 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['label']} | {r['calls']:,} | {fmt_ms(r['api_p50'])} | {fmt_ms(r['api_p95'])} | "
            f"{fmt_ms(r['raw_p50'])} | {fmt_ms(r['raw_p95'])} | {r['raw_p50'] / r['api_p50']:.1f}× | "
            f"{'pass' if r['api_p95'] < TARGET_P95_MS else 'FAIL'} |"
        )
    lines += [
        "",
        f"Targets: p95 < {TARGET_P95_MS:.0f} ms for every range: **{'pass' if passed_p95 else 'FAIL'}**; "
        f"≥ {TARGET_SPEEDUP_90D:.0f}× faster than the raw scan at 90 days (median): {speedup:.1f}× "
        f"**{'pass' if speedup >= TARGET_SPEEDUP_90D else 'FAIL'}**.",
        f"Same numbers: the API's KPIs, previous-period calls and cost, and per-day call counts equal the raw SQL "
        f"for every range: **{'yes' if not problems else 'NO'}**"
        + ("" if not problems else f" ({'; '.join(problems[:5])})")
        + ".",
        f"Incremental upkeep: `refresh_rollups_for_calls` for 500 recent calls (one sync page), "
        f"{len(hook_ms)} runs: median {fmt_ms(statistics.median(hook_ms))} ms, p95 {fmt_ms(pctl(hook_ms, 95))} ms.",
        "",
    ]
    section = "\n".join(lines)
    if path.exists():
        text = path.read_text()
        path.write_text(text.rstrip("\n") + "\n\n" + section)
    else:
        path.write_text("# Benchmark results\n\n" + section)
    return section


def describe(url: str) -> dict:
    import psycopg

    info = loader.describe_data(url, None)
    with psycopg.connect(url) as conn:
        info["rollup_rows"] = conn.execute(
            "SELECT count(*) FROM call_daily_rollup WHERE organization_id = %s", (info["org_id"],)
        ).fetchone()[0]
        info["rollup_size"] = conn.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('call_daily_rollup'))"
        ).fetchone()[0]
    return info


# ----------------------------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", default=os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432"))
    ap.add_argument("--db", default="vc_analytics_bench", help="database to (re)create")
    ap.add_argument("--keep", action="store_true", help="reuse the loaded database; skip loading")
    ap.add_argument("--rebuild-rollups", action="store_true", help="with --keep: rebuild the rollups first")
    ap.add_argument("--calls", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=365, help="calls spread over the last DAYS days")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--slice-days", type=int, default=3)
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--port", type=int, default=8775)
    ap.add_argument("--results", type=Path, default=BENCH_DIR / "RESULTS.md")
    ap.add_argument("--no-results", action="store_true")
    args = ap.parse_args()

    url = loader.pg_url(args.server, args.db)
    redis_url = loader.redis_default()
    # Settings are read from the environment once: set it before importing the product.
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("VOICECONSOLE_DATA_DIR", str(DATA_DIR / "analytics-data"))
    if redis_url:
        os.environ["REDIS_URL"] = redis_url

    load_info = None
    if args.keep:
        if not loader.db_exists(args.server, args.db):
            raise SystemExit(f"--keep: database {args.db} does not exist")
        from voiceconsole.migrations import upgrade

        upgrade("head")  # adds the rollup table (and backfills it) on a database loaded before it existed
        if args.rebuild_rollups:
            build_rollups(url)
    else:
        load_info = load_and_roll_up(args, url)
    data = describe(url)
    org_id = data["org_id"]
    machine = loader.machine_info(url)

    from sqlmodel import Session

    from voiceconsole.db import get_engine
    from voiceconsole.models import Organization
    from voiceconsole.services import api_keys
    from voiceconsole.services.access.actor import SYSTEM

    with Session(get_engine(), expire_on_commit=False) as session:
        key = api_keys.create_api_key(
            session, org=session.get(Organization, org_id), name="analytics benchmark", actor=SYSTEM
        ).key
        session.commit()

    import httpx

    log(f"starting uvicorn on 127.0.0.1:{args.port}")
    proc = start_api(args, url, redis_url)
    rows, problems = [], []
    try:
        pacer = loader.Pacer(900, 80)
        with httpx.Client(
            base_url=f"http://127.0.0.1:{args.port}", timeout=120, headers={"Authorization": f"Bearer {key}"}
        ) as client:
            for name in RANGES:
                params = params_for(name, datetime.now(UTC))
                log(f"{name}: API {args.warmup}+{args.requests} requests …")
                api_ms, body = time_api(client, pacer, params, args.warmup, args.requests)
                log(f"{name}: raw SQL {args.warmup}+{args.requests} runs …")
                raw_ms, raw = time_raw(url, org_id, body["meta"], args.warmup, args.requests)
                problems += check_same(name, body, raw)
                rows.append(
                    {
                        "name": name,
                        "label": "custom 365d" if name == "custom365" else name,
                        "calls": body["data"]["totalCalls"],
                        "api_p50": statistics.median(api_ms),
                        "api_p95": pctl(api_ms, 95),
                        "raw_p50": statistics.median(raw_ms),
                        "raw_p95": pctl(raw_ms, 95),
                    }
                )
                r = rows[-1]
                log(
                    f"  API median {r['api_p50']:.1f} ms p95 {r['api_p95']:.1f} ms | raw median {r['raw_p50']:.1f} ms "
                    f"p95 {r['raw_p95']:.1f} ms"
                )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    log("incremental hook: 20 × 500 calls …")
    hook_ms = time_hook(url, org_id)
    for p in problems:
        log(f"MISMATCH {p}")
    path = args.results if not args.no_results else DATA_DIR / "RESULTS.analytics.scratch.md"
    section = write_section(args, machine, data, load_info, rows, hook_ms, problems, path)
    print("\n" + section)
    log(f"appended to {path}")


if __name__ == "__main__":
    main()
