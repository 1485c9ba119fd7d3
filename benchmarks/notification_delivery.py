#!/usr/bin/env python3
"""Notification delivery throughput: signed webhooks per second from ONE worker process.

What is timed
-------------
N deliveries (default 5,000 = 250 `call.completed` events x 20 webhook channels) are sent by one
real RQ worker process (`rq.Worker` on the "notify" queue, forking a work horse per job as in
production) running the product's `dispatch_events_job`: the fan-out of the undispatched events
into delivery rows, then the pump (claim, sign with HMAC + Standard Webhooks, POST over
httpx, record an attempt and the result for every delivery, in PostgreSQL). The receiver is a
minimal keep-alive HTTP/1.1 server on 127.0.0.1 written on raw asyncio, in its own process, so
that it costs as little CPU as possible next to the worker; it answers 200 at once, counts
requests and distinct event ids per channel, and checks the HMAC signature of every 50th request
with the channel's secret.

Reported: the job's own figures (fan-out seconds, pump seconds, deliveries/s = deliveries / pump
seconds), the wall time from enqueueing to the worker exiting (process start and imports
included), the receiver's view (first to last request), attempt latencies from the delivery log,
and proof of exactly-once (distinct (channel, event) pairs received == deliveries).
Target (issue 6): >= 200 deliveries/s per worker process.

Usage
-----
    .venv/bin/python benchmarks/notification_delivery.py                       # 5,000 deliveries, 20 channels
    .venv/bin/python benchmarks/notification_delivery.py --events 5000 --channels 1   # one busy channel
    .venv/bin/python benchmarks/notification_delivery.py --sqlite --no-results      # embedded SQLite

PostgreSQL: `--server` (default postgresql://postgres@127.0.0.1:5432, a superuser); the database
`--db` (default vc_notify_bench) is dropped and recreated, and dropped at the end unless --keep-db.
Redis: `REDIS_URL`, else database 5 of a Redis on 127.0.0.1:6379, else the embedded one; only the
"notify" queue is used, and it is emptied first (so point REDIS_URL at a database nothing else uses).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import multiprocessing
import os
import platform as host_platform
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.synchronize import Event

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))


# ------------------------------------------------------------------------------------------- receiver


def _serve(port: int, secrets_by_path: dict[str, str], ready: Event) -> None:
    """Child process: a keep-alive HTTP/1.1 receiver that answers 200 and keeps counts."""
    stats = {
        "requests": 0,
        "first": None,
        "last": None,
        "pairs": set(),
        "checked": 0,
        "bad_signatures": 0,
        "per_path": {},
    }

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if method == "GET" and path == "/stats":
                    out = json.dumps({k: (len(v) if isinstance(v, set) else v) for k, v in stats.items()}).encode()
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                        + str(len(out)).encode()
                        + b"\r\n\r\n"
                        + out
                    )
                    await writer.drain()
                    continue
                now = time.time()
                stats["requests"] += 1
                stats["first"] = stats["first"] or now
                stats["last"] = now
                stats["per_path"][path] = stats["per_path"].get(path, 0) + 1
                event_id = body[7 : body.index(b'"', 7)].decode()  # the body starts with {"id":"evt_…"
                stats["pairs"].add((path, event_id))
                if stats["requests"] % 50 == 1:
                    expected = hmac.new(secrets_by_path[path].encode(), body, hashlib.sha256).hexdigest()
                    stats["checked"] += 1
                    if not hmac.compare_digest(expected, headers.get("x-voiceconsole-signature", "")):
                        stats["bad_signatures"] += 1
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------- setup


def _redis_url() -> str:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    with socket.socket() as s:
        s.settimeout(0.3)
        if s.connect_ex(("127.0.0.1", 6379)) == 0:
            return "redis://127.0.0.1:6379/5"
    return ""  # the product's embedded Redis


def _configure(args: argparse.Namespace) -> None:
    data = BENCH_DIR / ".data"
    data.mkdir(exist_ok=True)
    os.environ["VOICECONSOLE_DATA_DIR"] = str(data)
    os.environ["VOICECONSOLE_ALLOW_PRIVATE_TARGETS"] = "1"
    os.environ["VOICECONSOLE_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("VOICECONSOLE_SECRET_KEY", "benchmark-secret-key-0123456789-abcdefghijkl")
    redis_url = _redis_url()
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    if args.sqlite:
        path = data / "notify_bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return
    import psycopg

    with psycopg.connect(args.server + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.db}"')
    os.environ["DATABASE_URL"] = f"{args.server}/{args.db}"


def _prepare(args: argparse.Namespace, port: int) -> tuple[dict[str, str], int]:
    """Migrate, create the organization and channels, record the events (undispatched). Returns
    ({receiver path: secret}, expected deliveries)."""
    from sqlalchemy import insert

    from voiceconsole.db import session_scope
    from voiceconsole.migrations import upgrade
    from voiceconsole.models import Event
    from voiceconsole.models.types import public_id, utcnow
    from voiceconsole.services import accounts
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.notifications import channels as nc

    upgrade("head")
    secrets_by_path = {}
    with session_scope() as session:
        org = accounts.create_organization(session, name=f"Notify bench {int(time.time())}", plan="agency")
        for i in range(args.channels):
            path = f"/hooks/{i}"
            made = nc.create_channel(
                session,
                org=org,
                actor=SYSTEM,
                kind="webhook",
                events=["call.completed"],
                url=f"http://127.0.0.1:{port}{path}",
                name=f"bench {i}",
            )
            secrets_by_path[path] = made.secret
        org_id = org.id
    now = utcnow()
    rows = [
        {
            "public_id": public_id("evt"),
            "organization_id": org_id,
            "type": "call.completed",
            "created_at": now,
            "payload": {
                "callId": public_id("cl"),
                "platformCallId": f"call_{i}",
                "platform": "vapi",
                "agentId": "asst_bench",
                "agentName": "Front desk",
                "clientId": None,
                "clientName": None,
                "status": "ended",
                "direction": "inbound",
                "startedAt": now.isoformat(),
                "duration": 184.0,
                "cost": 0.42,
                "callScore": 38 + i % 60,
                "sentiment": "Neutral",
                "summary": "Caller asked to move an appointment to Tuesday morning; the agent confirmed.",
            },
        }
        for i in range(args.events)
    ]
    with session_scope() as session:
        for start in range(0, len(rows), 1000):
            session.execute(insert(Event.__table__), rows[start : start + 1000])
    return secrets_by_path, args.events * args.channels


def _worker() -> None:
    """Child process: one RQ worker on the notify queue, until the queue is empty."""
    from rq import Worker

    from voiceconsole.enqueue import get_queue
    from voiceconsole.redis_client import get_redis

    Worker([get_queue("notify")], connection=get_redis()).work(burst=True, logging_level="WARNING")


def _machine(args: argparse.Namespace) -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        host_platform.processor() or "unknown",
    )
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(os.cpu_count())
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    db = "SQLite (embedded)"
    if not args.sqlite:
        import psycopg

        with psycopg.connect(args.server + "/postgres") as conn:
            db = "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]
    return {"cpu": cpu, "nproc": nproc, "uptime": uptime, "db": db, "python": host_platform.python_version()}


# ---------------------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=250, help="events recorded (each goes to every channel)")
    parser.add_argument("--channels", type=int, default=20, help="webhook channels (all on the local receiver)")
    parser.add_argument("--server", default=os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--db", default="vc_notify_bench")
    parser.add_argument("--sqlite", action="store_true", help="embedded SQLite instead of PostgreSQL")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--results", default=str(BENCH_DIR / "RESULTS.md"))
    parser.add_argument("--no-results", action="store_true")
    parser.add_argument("--note", default="", help="a paragraph added to the RESULTS.md section")
    args = parser.parse_args()

    _configure(args)
    machine = _machine(args)
    port = _free_port()
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    secrets_by_path, expected = _prepare(args, port)
    receiver = ctx.Process(target=_serve, args=(port, secrets_by_path, ready), daemon=True)
    receiver.start()
    ready.wait(10)

    import httpx
    from rq.job import Job
    from sqlalchemy import func, select

    from voiceconsole.db import get_engine, session_scope
    from voiceconsole.enqueue import get_queue
    from voiceconsole.jobs.notifications import dispatch_events_job
    from voiceconsole.models import Delivery, DeliveryAttempt
    from voiceconsole.redis_client import get_redis

    redis = get_redis()
    get_queue("notify").empty()
    get_engine().dispose()  # the worker forks: do not share pooled connections with it
    print(
        f"{expected:,} deliveries ({args.events:,} events x {args.channels} channels) to 127.0.0.1:{port}, "
        f"{machine['db']}; load: {machine['uptime']}",
        flush=True,
    )
    job = get_queue("notify").enqueue(dispatch_events_job, job_timeout=3600, result_ttl=3600)
    t0 = time.monotonic()
    worker = ctx.Process(target=_worker)
    worker.start()
    worker.join()
    wall = time.monotonic() - t0
    result = Job.fetch(job.id, connection=redis).return_value() or {}
    stats = httpx.get(f"http://127.0.0.1:{port}/stats", timeout=5).json()
    receiver.terminate()
    with session_scope() as session:
        by_status = dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
        latencies = sorted(session.execute(select(DeliveryAttempt.latency_ms)).scalars())
        attempts = len(latencies)
    get_engine().dispose()

    pump_s = result.get("seconds") or wall
    rate = expected / pump_s
    span = (stats["last"] - stats["first"]) if stats["first"] else 0
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else None  # noqa: E731
    ok = (
        stats["pairs"] == expected
        and by_status.get("succeeded") == expected
        and attempts == expected
        and stats["bad_signatures"] == 0
    )
    lines = [
        f"deliveries: {expected:,}; succeeded {by_status.get('succeeded', 0):,}; attempts {attempts:,}; "
        f"received {stats['requests']:,} requests, {stats['pairs']:,} distinct (channel, event); "
        f"signatures checked {stats['checked']}, bad {stats['bad_signatures']}",
        f"fan-out: {result.get('events', 0):,} events -> {result.get('deliveries', 0):,} deliveries in "
        f"{result.get('total_seconds', 0) - result.get('seconds', 0):.2f} s",
        f"pump: {pump_s:.2f} s -> {rate:,.0f} deliveries/s; receiver first->last request {span:.2f} s "
        f"({expected / span if span else 0:,.0f}/s); wall incl. worker start {wall:.2f} s",
        f"attempt latency ms: p50 {p(0.5)}, p95 {p(0.95)}, p99 {p(0.99)}, max {latencies[-1] if latencies else None}",
        "exactly once: " + ("yes" if ok else "NO"),
    ]
    print("\n".join(lines), flush=True)
    if not args.no_results:
        _append_results(args, machine, expected, result, pump_s, rate, span, wall, stats, attempts, by_status, p, ok)
    if not args.sqlite and not args.keep_db:
        import psycopg

        with psycopg.connect(args.server + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    return 0 if ok else 1


def _append_results(
    args: argparse.Namespace,
    machine: dict,
    expected: int,
    result: dict,
    pump_s: float,
    rate: float,
    span: float,
    wall: float,
    stats: dict,
    attempts: int,
    by_status: dict,
    p: Callable[[float], int | None],
    ok: bool,
) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    fan_out_s = result.get("total_seconds", 0) - result.get("seconds", 0)
    counts = f"{by_status.get('succeeded', 0):,} / {attempts:,} / {stats['pairs']:,}"
    text = f"""
## Notification delivery throughput (`notification_delivery.py`) — {stamp}

{expected:,} signed webhook deliveries ({args.events:,} `call.completed` events × {args.channels} webhook
channels) sent by **one** RQ worker process (`rq.Worker` on the notify queue, work horse forked per job)
running `dispatch_events_job`: fan-out into delivery rows, then the pump (atomic claims, HMAC-SHA256 +
Standard Webhooks signatures, httpx POST, one attempt row and the delivery's result per send) on
{machine["db"]}. Receiver: a raw-asyncio keep-alive HTTP/1.1 server on 127.0.0.1 in its own process,
answering 200 at once. Machine: {machine["nproc"]} CPUs ({machine["cpu"]}), Python {machine["python"]};
`uptime` at the start: `{machine["uptime"]}` (the machine is shared with other work).

| | value |
|---|---:|
| Fan-out ({result.get("events", 0):,} events → {result.get("deliveries", 0):,} deliveries) | {fan_out_s:.2f} s |
| Pump: claim, sign, send, record | {pump_s:.2f} s |
| **Deliveries per second (one worker process)** | **{rate:,.0f}** |
| Receiver: first → last request | {span:.2f} s ({expected / span if span else 0:,.0f}/s) |
| Wall time from enqueue to worker exit (process start included) | {wall:.2f} s |
| Attempt latency p50 / p95 / p99 (ms) | {p(0.5)} / {p(0.95)} / {p(0.99)} |
| Succeeded / attempts / distinct (channel, event) received | {counts} |
| Signatures checked by the receiver (every 50th) / bad | {stats["checked"]} / {stats["bad_signatures"]} |

Target ≥ 200 deliveries/s per worker process: {"met" if rate >= 200 else "NOT met"}. Exactly once:
{"yes" if ok else "NO"}. Reproduce: `.venv/bin/python benchmarks/notification_delivery.py
--events {args.events} --channels {args.channels}{" --sqlite" if args.sqlite else ""}`.
"""
    if args.note:
        text += f"\n{args.note}\n"
    with open(args.results, "a") as f:
        f.write(text)
    print(f"appended to {args.results}")


if __name__ == "__main__":
    sys.exit(main())
