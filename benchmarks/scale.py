"""Scale figures on this machine: 1 vs 2 web processes, 1 vs 2 workers, side by side in one run (issue 21, item 6).

    .venv/bin/python benchmarks/scale.py                 # about 6 minutes; appends a section to RESULTS.md
    .venv/bin/python benchmarks/scale.py --no-results --calls 1000 --rounds 1   # quick look

What is measured (every figure is one configuration against the other under the same machine noise):
- API: `GET /api/calls` (an organization with `--calls` calls; count + page + tags, API-key auth, rate limit) on
  uvicorn with 1 worker process and on uvicorn with `--workers 2`, both serving at once from the start. A
  closed-loop client (httpx, asyncio, keep-alive, in this process) runs `--trial-s` seconds at each
  concurrency of CONCURRENCY, alternating the two servers trial by trial, `--rounds` times. A server's
  figure is the highest throughput of a concurrency whose p95 stays < 100 ms (median over rounds). Rate
  limits are raised out of the way (`VOICECONSOLE_PLANS`) and requests rotate over 8 keys.
- Scoring: all the organization's calls reset to unscored, `enqueue.scoring` (batches of 200) with 1 or 2
  `voiceconsole worker` processes running (started and registered before the clock starts); calls/s =
  calls scored / time until the scoring queue is drained and nothing runs. Alternating 1, 2, 1, 2, ….
- Webhook deliveries: `--events` `agent.status_change` events recorded in one transaction for an organization
  with one webhook channel to a local receiver (tests/support/receivers.py, in this process); deliveries/s
  = events / time until the receiver has them all. Same alternation.

PostgreSQL (a fresh `vc_scale_<random>` database, dropped at the end), Redis database 11 (flushed), the
platform simulator, the servers, the workers and the load generator all share this machine's cores: the
ratios say how far a second process helps *here*, not on separate hosts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform as host_platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
sys.path.insert(0, str(ROOT))

from tests.support.cluster import Cluster, Network, Proc  # noqa: E402

CONCURRENCY = (1, 2, 4, 8, 16)
KEYS = 8
PLANS = '{"agency": {"requests_per_minute": 1000000, "requests_per_second": 100000}}'
P95_TARGET_MS = 100.0
# The delivery trials' events: a type the scoring trials do not record, so scoring sends no webhooks.
EVENT = "agent.status_change"


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[18] if len(xs) >= 20 else max(xs)


def closed_loop(url: str, keys: list[str], concurrency: int, seconds: float) -> tuple[float, float, int]:
    """(requests/s, p95 ms, errors) of `concurrency` clients sending back to back for `seconds`."""
    import httpx

    latencies: list[float] = []
    errors = 0

    async def run() -> None:
        nonlocal errors
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
            deadline = time.perf_counter() + seconds

            async def loop(i: int) -> None:
                nonlocal errors
                n = i
                while time.perf_counter() < deadline:
                    t0 = time.perf_counter()
                    r = await client.get("/api/calls", headers={"Authorization": f"Bearer {keys[n % len(keys)]}"})
                    latencies.append((time.perf_counter() - t0) * 1000)
                    errors += r.status_code != 200
                    n += 1

            await asyncio.gather(*(loop(i) for i in range(concurrency)))

    started = time.perf_counter()
    asyncio.run(run())
    return len(latencies) / (time.perf_counter() - started), p95(latencies), errors


def start_workers(cluster: Cluster, count: int) -> list[Proc]:
    from rq import Worker

    from voiceconsole.redis_client import get_redis

    host = cluster.network.hosts["work"]
    procs = [cluster.worker(host) for _ in range(count)]
    deadline = time.monotonic() + 60
    while Worker.count(connection=get_redis()) < count:
        if time.monotonic() > deadline:
            raise SystemExit("workers did not register:\n" + procs[0].log_text()[-2000:])
        time.sleep(0.2)
    return procs


def stop_workers(procs: list[Proc]) -> None:
    from rq import Worker

    from voiceconsole.redis_client import get_redis

    for proc in procs:
        proc.stop()
    deadline = time.monotonic() + 30
    while Worker.count(connection=get_redis()) > 0 and time.monotonic() < deadline:
        for worker in Worker.all(connection=get_redis()):  # killed ones leave their registration behind
            if not any(int(worker.pid or 0) == p.pid for p in procs):
                continue
            worker.register_death()
        time.sleep(0.2)


def queues_idle() -> bool:
    from voiceconsole.redis_client import get_redis

    r = get_redis()
    return all(r.llen(f"rq:queue:{q}") == 0 and r.zcard(f"rq:wip:{q}") == 0 for q in ("scoring", "notify"))


def scoring_trial(cluster: Cluster, workers: int, org_id: int) -> tuple[float, int, float]:
    from voiceconsole import enqueue

    cluster.sql(
        "UPDATE call SET score = NULL, score_version = NULL, scored_at = NULL, score_breakdown = NULL "
        "WHERE organization_id = %s",
        org_id,
    )
    ids = [row[0] for row in cluster.sql("SELECT id FROM call WHERE organization_id = %s", org_id)]
    procs = start_workers(cluster, workers)
    try:
        t0 = time.perf_counter()
        enqueue.scoring(ids)
        time.sleep(0.2)
        while not queues_idle():
            time.sleep(0.05)
        elapsed = time.perf_counter() - t0
    finally:
        stop_workers(procs)
    scored = cluster.sql("SELECT count(*) FROM call WHERE organization_id = %s AND scored_at IS NOT NULL", org_id)[0][0]
    return scored / elapsed, scored, elapsed


def delivery_trial(cluster: Cluster, workers: int, org_id: int, receiver, events: int) -> tuple[float, float]:
    from voiceconsole.db import session_scope
    from voiceconsole.services.notifications.events import record_event

    procs = start_workers(cluster, workers)
    try:
        before = len(receiver.at("/scale"))
        t0 = time.perf_counter()
        with session_scope() as session:
            for i in range(events):
                record_event(
                    session, organization_id=org_id, type=EVENT, payload={"agentId": f"a{i}", "status": "online"}
                )
        got = receiver.wait_for("/scale", before + events, timeout=600)
        elapsed = time.perf_counter() - t0
        if len(got) < before + events:
            raise SystemExit(f"only {len(got) - before} of {events} deliveries arrived")
        while not queues_idle():
            time.sleep(0.05)
    finally:
        stop_workers(procs)
    return events / elapsed, elapsed


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "?",
    )
    mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {mem:.1f} GiB RAM; {pg}; Redis 7; Python {host_platform.python_version()}; "
        f"1-minute load average at the start {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=3000, help="calls synced into the organization (Vapi)")
    ap.add_argument("--events", type=int, default=1500, help="events per delivery trial")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--trial-s", type=float, default=4.0)
    ap.add_argument("--results", default=str(BENCH_DIR / "RESULTS.md"))
    ap.add_argument("--no-results", action="store_true")
    args = ap.parse_args()
    started_at = datetime.now(UTC)
    mach = machine()
    DATA_DIR.mkdir(exist_ok=True)
    log_dir = DATA_DIR / f"scale-{started_at:%Y%m%d-%H%M%S}"
    log_dir.mkdir()
    network = Network(force_loopback=True)  # processes on 127.0.0.1: the figures are about cores, not links
    for name in ("web", "work"):
        network.add_host(name)
    cluster = Cluster(
        network,
        log_dir,
        redis_db=11,
        db_prefix="vc_scale",
        settings={
            "VOICECONSOLE_PLANS": PLANS,
            "VOICECONSOLE_ALLOW_PRIVATE_TARGETS": "1",
            "VOICECONSOLE_PLATFORM_PAGE_SIZE": "100",
            "VOICECONSOLE_LOG_LEVEL": "WARNING",
        },
    )
    os.environ.update(
        {k: v for k, v in cluster.env.items() if k.startswith(("VOICECONSOLE_", "DATABASE_URL", "REDIS"))}
    )
    os.environ["DATABASE_URL"], os.environ["REDIS_URL"] = cluster.local_db_url, "redis://127.0.0.1:6379/11"
    import httpx

    from tests.support.receivers import Receiver

    receiver = Receiver()
    results: dict[str, object] = {}
    try:
        sim = cluster.simulator(calls=args.calls, agents=8)
        cluster.wait_ready([sim], path="/_sim/state")
        host = network.hosts["web"]
        slug = cluster.cli(["org", "create", "Scale Agency", "--plan", "agency"])
        keys = [cluster.cli(["apikey", "create", "--org", slug, "--name", f"k{i}"]) for i in range(KEYS)]
        org_id = cluster.sql("SELECT id FROM organization WHERE slug = %s", slug)[0][0]
        setup_web = cluster.web(host)
        cluster.wait_ready([setup_web])
        api = httpx.Client(base_url=setup_web.url or "", headers={"Authorization": f"Bearer {keys[0]}"}, timeout=60)
        r = api.post(
            "/api/v1/integrations", json={"platform": "vapi", "apiKey": "sim_vapi_key", "baseUrl": f"{sim.url}/vapi"}
        )
        assert r.status_code == 201, r.text
        r = api.post(
            "/api/v1/notification-channels",
            json={"kind": "webhook", "url": receiver.url("/scale"), "events": [EVENT], "name": "scale"},
        )
        assert r.status_code == 201, r.text
        setup_web.stop()
        print("syncing the calls (1 worker)…", flush=True)
        procs = start_workers(cluster, 1)
        t0 = time.monotonic()
        while cluster.sql("SELECT count(*) FROM call WHERE organization_id = %s", org_id)[0][0] < args.calls:
            if time.monotonic() - t0 > 600:
                raise SystemExit("the sync did not finish")
            time.sleep(1)
        while not queues_idle():
            time.sleep(0.2)
        stop_workers(procs)
        # Setup's notifications went out already; the delivery trials count only their own.
        receiver.wait_for("/scale", 10**9, timeout=2)
        calls = cluster.sql("SELECT count(*) FROM call WHERE organization_id = %s", org_id)[0][0]

        # -- API: both servers up at once, trials alternating ----------------------------------------
        servers = {"1 web process": cluster.web(host), "2 web processes": cluster.web(host, workers=2)}
        cluster.wait_ready(servers.values())
        api_trials: dict[tuple[str, int], list[tuple[float, float, int]]] = {}
        for server in servers.values():  # warm-up: every process has connected and cached
            closed_loop(server.url or "", keys, 8, 2.0)
        for rnd in range(args.rounds):
            for c in CONCURRENCY:
                order = list(servers) if (rnd + c) % 2 == 0 else list(reversed(servers))
                for name in order:
                    res = closed_loop(servers[name].url or "", keys, c, args.trial_s)
                    api_trials.setdefault((name, c), []).append(res)
                    print(
                        f"API {name:16} c={c:2}  {res[0]:7.1f} req/s  p95 {res[1]:6.1f} ms  errors {res[2]}", flush=True
                    )
        for server in servers.values():
            server.stop()
        results["api"] = api_trials

        # -- workers -------------------------------------------------------------------------------
        score_trials: dict[int, list[tuple[float, int, float]]] = {1: [], 2: []}
        delivery_trials: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
        for rnd in range(args.rounds):
            for m in (1, 2) if rnd % 2 == 0 else (2, 1):
                res = scoring_trial(cluster, m, org_id)
                score_trials[m].append(res)
                print(f"scoring   {m} worker(s): {res[0]:7.1f} calls/s ({res[1]} calls in {res[2]:.1f} s)", flush=True)
            for m in (1, 2) if rnd % 2 == 0 else (2, 1):
                res2 = delivery_trial(cluster, m, org_id, receiver, args.events)
                delivery_trials[m].append(res2)
                print(
                    f"delivery  {m} worker(s): {res2[0]:7.1f} deliveries/s ({args.events} in {res2[1]:.1f} s)",
                    flush=True,
                )
        results["scoring"], results["delivery"] = score_trials, delivery_trials
        load_end = os.getloadavg()[0]
    finally:
        receiver.stop()
        cluster.close()
        network.close()

    # -- report ------------------------------------------------------------------------------------
    def best_under_target(name: str) -> tuple[float, int, float]:
        best = (0.0, 0, 0.0)
        for c in CONCURRENCY:
            runs = api_trials[(name, c)]
            rps, tail = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
            if tail < P95_TARGET_MS and rps > best[0]:
                best = (rps, c, tail)
        return best

    one, two = best_under_target("1 web process"), best_under_target("2 web processes")
    s1, s2 = (statistics.median(r[0] for r in score_trials[m]) for m in (1, 2))
    d1, d2 = (statistics.median(r[0] for r in delivery_trials[m]) for m in (1, 2))
    rows = [
        "| Figure | 1 process | 2 processes | Ratio 2 / 1 |",
        "|---|---:|---:|---:|",
        f"| API `GET /api/calls`, requests/s at p95 < 100 ms | {one[0]:.0f} (c={one[1]}, p95 {one[2]:.0f} ms) | "
        f"{two[0]:.0f} (c={two[1]}, p95 {two[2]:.0f} ms) | {two[0] / one[0]:.2f} |",
        f"| Scoring, calls/s ({calls} calls, batches of 200) | {s1:.0f} | {s2:.0f} | {s2 / s1:.2f} |",
        f"| Webhook deliveries/s ({args.events} events, 1 channel) | {d1:.0f} | {d2:.0f} | {d2 / d1:.2f} |",
    ]
    detail = ["| Server | " + " | ".join(f"c={c}" for c in CONCURRENCY) + " |", "|---|" + "---:|" * len(CONCURRENCY)]
    for name in ("1 web process", "2 web processes"):
        cells = []
        for c in CONCURRENCY:
            runs = api_trials[(name, c)]
            cells.append(
                f"{statistics.median(r[0] for r in runs):.0f} req/s, p95 {statistics.median(r[1] for r in runs):.0f} ms"
            )
        detail.append(f"| {name} | " + " | ".join(cells) + " |")
    trials = (
        "Scoring trials (calls/s): "
        + "; ".join(f"{m} worker(s) " + ", ".join(f"{r[0]:.0f}" for r in score_trials[m]) for m in (1, 2))
        + ". Delivery trials (deliveries/s): "
        + "; ".join(f"{m} worker(s) " + ", ".join(f"{r[0]:.0f}" for r in delivery_trials[m]) for m in (1, 2))
        + "."
    )
    table = "\n".join(rows)
    print("\n" + table + "\n\n" + "\n".join(detail) + "\n\n" + trials)
    if args.no_results:
        return
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "voiceconsole"], cwd=ROOT, capture_output=True, text=True
    )
    section = f"""
## Scale-out on one 2-core machine: 1 vs 2 web processes, 1 vs 2 workers (`scale.py`) — {started_at:%Y-%m-%d %H:%M} UTC

**Machine:** {mach}; at the end {load_end:.2f}. Commit {commit.strip()}{"+changes" if dirty.stdout.strip() else ""}.
PostgreSQL, Redis, the platform simulator, the servers, the workers and the load generator share the 2 cores.

**Method:** see `benchmarks/scale.py`'s docstring. API: uvicorn `--workers 1` and `--workers 2` serving at once,
closed-loop httpx client in the benchmark process, {args.trial_s:.0f} s per trial at each concurrency
{", ".join(map(str, CONCURRENCY))}, the two servers alternating, {args.rounds} rounds (medians); rate limits raised
with `VOICECONSOLE_PLANS`, 8 keys. Workers: `voiceconsole worker` processes started and registered before the clock;
scoring and delivery trials alternate 1 and 2 workers, {args.rounds} rounds (medians).

{table}

API detail (median of rounds):

{chr(10).join(detail)}

{trials}
"""
    with open(args.results, "a") as out:
        out.write(section)
    print(f"appended to {args.results}")


if __name__ == "__main__":
    main()
