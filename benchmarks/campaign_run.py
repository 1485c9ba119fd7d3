"""A campaign of 10,000 leads against the platform simulator, dispatched by two processes at once on a
simulated clock: is the concurrency cap kept, is anyone dialed twice or outside their calling window, and what
does the dispatcher itself cost per dial?

Setup
-----
- The platform simulator (Retell) in its own process, over real HTTP; its clock starts at the simulated start
  (Monday 2026-12-07 00:00 UTC) and the default outcome mix (60% answered, 20% voicemail, 12% no answer, 6% busy,
  2% failed).
- A fresh PostgreSQL database (`--db`, dropped and recreated), an organization (plan agency) with a Retell
  integration pointing at the simulator and one of its agents.
- `--leads` leads (default 10,000) with numbers of New York, Chicago, San Francisco, London, Paris, Berlin,
  Tokyo, Singapore and Mumbai, merged in through the import's `upsert_leads`; each lead's time zone is derived
  from its number (America/New_York … Asia/Calcutta).
- A campaign of all of them: `--concurrency` (default 50) calls at once, window Monday–Friday 09:00–20:00 in
  each lead's own zone, 2 attempts, a retry 60 minutes after no answer or busy.

The run
-------
Two dispatcher processes (`--workers`), as two RQ workers would run the dispatch job: at every tick of the
simulated clock both call `dispatcher.dispatch_campaign(campaign, now=<simulated now>)` at the same moment (a
barrier), exactly what the dispatch job does with the real clock. Between ticks the benchmark settles the
simulator (`POST /_sim/dials/settle`: every dialed call ends) and moves the clock on by `--tick-minutes`
(default 2), or straight to the next due lead when nothing is in flight and no lead is due (a night, a
weekend), so windows open and close across the zones. While the passes run, the main process samples the
campaign's in-flight count (the leads in state `in_flight`, what the cap counts) and the attempts not settled
yet (claimed, dialing, placed or unknown) every few milliseconds over its own connection.

Checks and figures (from the simulator's dial log, `GET /_sim/dials`, and the attempts in the database):
- max in flight, sampled: must be ≤ the cap;
- duplicate dials: dials sharing an attempt id, attempts sharing (lead, attempt number), leads dialed more
  often than the attempts allowed, dials not matching an attempt: must all be 0;
- dials outside the lead's window: each dial's attempt's `dialed_at` (the simulated `now` of its pass) read
  on the lead's own wall clock against the window: must be 0;
- dispatcher overhead per dial: the passes' wall time in the dispatcher processes minus the time spent waiting
  for the simulator's HTTP answers (every request through httpx is timed in those processes: dials, call
  reads for outcomes), divided by the dials. The simulator's answer time is reported separately; both share
  the machine's cores with PostgreSQL.

Usage
-----
    .venv/bin/python benchmarks/campaign_run.py --leads 10000          # appends a section to RESULTS.md
    .venv/bin/python benchmarks/campaign_run.py --leads 500 --no-results

PostgreSQL: `--server` (default postgresql://postgres@127.0.0.1:5432, a superuser: it creates the database).
Redis: REDIS_URL (default redis://127.0.0.1:6379/9). Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform as host_platform
import socket
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))

START = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # a Monday
CALLER = "+14155550100"
# (country code + area, digits after it): numbers phonenumbers places in the city's zone.
CITIES = [
    ("+1212", 7),  # New York
    ("+1312", 7),  # Chicago
    ("+1415", 7),  # San Francisco
    ("+4420", 8),  # London
    ("+331", 8),  # Paris
    ("+4930", 8),  # Berlin
    ("+813", 8),  # Tokyo
    ("+656", 7),  # Singapore
    ("+9122", 8),  # Mumbai
]
WINDOW = {"days": [1, 2, 3, 4, 5], "start": "09:00", "end": "20:00"}
OPEN_STATES = ("claimed", "dialing", "placed", "unknown")


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ------------------------------------------------------------------------------------------ simulator


def _serve_simulator(port: int, seed: int) -> None:
    """Child process: the simulator, its clock at the simulated start."""
    import uvicorn

    from voiceconsole.platforms.simulator.server import create_app
    from voiceconsole.platforms.simulator.state import SimulatorState

    state = SimulatorState(seed=seed, agents_per_platform=2, calls_per_platform={"retell": 4}, days=2, now=START)
    state.data("retell")
    uvicorn.run(create_app(state), host="127.0.0.1", port=port, log_level="warning")


def _control(base_url: str, method: str, path: str, **body: Any) -> Any:
    import httpx

    response = httpx.request(method, f"{base_url}/_sim{path}", json=body or None, timeout=60)
    response.raise_for_status()
    return response.json()


def _wait_for(base_url: str, proc: Any, timeout_s: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not proc.is_alive():
            raise RuntimeError("the simulator process exited")
        try:
            if httpx.get(f"{base_url}/_sim/state", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the simulator did not answer")


# ------------------------------------------------------------------------------------------ setup


def _numbers(count: int) -> list[str]:
    """`count` valid numbers, spread evenly over the cities."""
    import phonenumbers

    out: list[str] = []
    serial = [0] * len(CITIES)
    while len(out) < count:
        for i, (prefix, digits) in enumerate(CITIES):
            if len(out) >= count:
                break
            while True:
                serial[i] += 1
                # A spread-out subscriber number (distinct per serial), starting 2–9 where numbers start.
                body = f"{2 + serial[i] % 8}{(serial[i] * 7919) % 10 ** (digits - 1):0{digits - 1}d}"
                candidate = prefix + body
                if phonenumbers.is_valid_number(phonenumbers.parse(candidate, None)):
                    out.append(candidate)
                    break
    return out


def setup(base_url: str, leads: int, concurrency: int) -> tuple[int, int, dict[str, int]]:
    """The organization, integration, agent, leads and the started campaign: (campaign id, leads, leads by zone)."""
    from sqlmodel import Session

    from voiceconsole.db import get_engine
    from voiceconsole.models import Agent
    from voiceconsole.models.types import pk
    from voiceconsole.services import accounts, integrations
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns import campaigns, imports
    from voiceconsole.services.campaigns import leads as lead_service

    with Session(get_engine(), expire_on_commit=False) as session:
        org = accounts.create_organization(session, name="Campaign bench", plan="agency")
        session.commit()
        integration = integrations.create_integration(
            session,
            org=org,
            platform="retell",
            api_key="sim_retell_key",
            label="simulator",
            base_url=f"{base_url}/retell",
            actor=SYSTEM,
        )
        session.commit()
        platform_agent = integrations.connector_for(integration).list_agents()[0].platform_agent_id
        session.add(
            Agent(
                organization_id=pk(org),
                integration_id=pk(integration),
                platform="retell",
                platform_agent_id=platform_agent,
                name="Outbound",
            )
        )
        session.commit()
        zones: Counter[str] = Counter()
        numbers = _numbers(leads)
        for start in range(0, len(numbers), imports.BATCH_ROWS):
            rows = []
            for i, number in enumerate(numbers[start : start + imports.BATCH_ROWS], start=start):
                cleaned = lead_service.clean_lead(
                    {"phone": number, "first_name": f"Lead{i}", "custom_fields": {"n": str(i)}}, region="US"
                )
                assert not cleaned.errors, (number, cleaned.errors)
                zones[cleaned.values.get("timezone") or "none"] += 1
                rows.append(imports.Row(line=i + 2, values=cleaned.values, tags=[]))
            imports.upsert_leads(session, org_id=pk(org), rows=rows, client_id=None, tags=["bench"])
            session.commit()
        given = {
            "name": "Bench renewals",
            "agent_id": platform_agent,
            "caller_number": CALLER,
            "audience": {"kind": "tag", "tag": "bench"},
            "window": WINDOW,
            "max_concurrent": concurrency,
            "max_attempts": 2,
            "retry_delay_minutes": 60,
            "retry_outcomes": ["no_answer", "busy"],
            "variables": {"first_name": "first_name"},
        }
        out = campaigns.create_campaign(session, org=org, actor=SYSTEM, given=given)
        session.commit()
        campaigns.start_campaign(session, org=org, actor=SYSTEM, campaign_id=out.id)
        session.commit()
        campaign = campaigns.find_campaign(session, org, out.id)
        return pk(campaign), len(numbers), dict(zones)


# ------------------------------------------------------------------------------------------ dispatchers


def _dispatcher(campaign_id: int, inbox: Any, outbox: Any, barrier: Any) -> None:
    """Child process: one dispatcher. Per tick: wait for the others, run one pass, report its timings."""
    import httpx

    from voiceconsole.services.campaigns import dispatcher

    http = {"s": 0.0, "n": 0}
    send = httpx.Client.send

    def timed_send(self: httpx.Client, *args: Any, **kwargs: Any) -> httpx.Response:
        t0 = time.perf_counter()
        try:
            return send(self, *args, **kwargs)
        finally:
            http["s"] += time.perf_counter() - t0
            http["n"] += 1

    httpx.Client.send = timed_send  # type: ignore[method-assign]
    while True:
        message = inbox.get()
        if message is None:
            return
        now = datetime.fromisoformat(message)
        http["s"], http["n"] = 0.0, 0
        barrier.wait()
        t0, c0 = time.perf_counter(), time.process_time()
        result = dispatcher.dispatch_campaign(campaign_id, now=now)
        outbox.put(
            {
                "wall": time.perf_counter() - t0,
                "cpu": time.process_time() - c0,
                "http_s": http["s"],
                "http_n": http["n"],
                "placed": result.placed,
                "claimed": result.claimed,
                "settled": result.settled,
                "deferred": result.deferred,
                "failed": result.failed,
                "unknown": result.unknown,
                "status": result.status,
                "errors": result.errors,
            }
        )


class Sampler(threading.Thread):
    """The campaign's in-flight leads and open attempts, every few milliseconds, over its own connection."""

    def __init__(self, dsn: str, campaign_id: int) -> None:
        super().__init__(daemon=True)
        import psycopg

        self.conn = psycopg.connect(dsn, autocommit=True)
        self.campaign_id = campaign_id
        self.max_in_flight = self.max_open = self.samples = 0
        self.running = threading.Event()
        self.stopped = threading.Event()

    def sample(self) -> None:
        in_flight, open_attempts = self.conn.execute(
            "SELECT (SELECT count(*) FROM campaign_lead WHERE campaign_id = %s AND state = 'in_flight'),"
            " (SELECT count(*) FROM call_attempt WHERE campaign_id = %s AND status = ANY(%s))",
            (self.campaign_id, self.campaign_id, list(OPEN_STATES)),
        ).fetchone()  # type: ignore[misc]
        self.max_in_flight = max(self.max_in_flight, in_flight)
        self.max_open = max(self.max_open, open_attempts)
        self.samples += 1

    def run(self) -> None:
        while not self.stopped.is_set():
            if self.running.wait(0.1):
                self.sample()
                time.sleep(0.005)


def _next_due(dsn: str, campaign_id: int) -> datetime | None:
    import psycopg

    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT min(next_attempt_at) FROM campaign_lead WHERE campaign_id = %s AND state = 'pending'",
            (campaign_id,),
        ).fetchone()
    return row[0] if row else None


def run_campaign(args: argparse.Namespace, dsn: str, base_url: str, campaign_id: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(args.workers)
    outbox = ctx.Queue()
    inboxes = [ctx.Queue() for _ in range(args.workers)]
    procs = [
        ctx.Process(target=_dispatcher, args=(campaign_id, inboxes[i], outbox, barrier), daemon=True)
        for i in range(args.workers)
    ]
    for p in procs:
        p.start()
    sampler = Sampler(_plain(dsn), campaign_id)
    sampler.start()
    now, ticks, passes = START, 0, []
    settle_s = 0.0
    t_start = time.perf_counter()
    status = "running"
    try:
        while ticks < args.max_ticks:
            ticks += 1
            for inbox in inboxes:
                inbox.put(now.isoformat())
            sampler.running.set()
            results = [outbox.get(timeout=600) for _ in procs]
            sampler.running.clear()
            sampler.sample()
            passes += [{**r, "now": now} for r in results]
            statuses = {r["status"] for r in results}
            if statuses & {"completed", "paused", "cancelled"}:
                status = next(iter(statuses & {"completed", "paused", "cancelled"}))
                break
            t0 = time.perf_counter()
            _control(base_url, "POST", "/dials/settle")
            settle_s += time.perf_counter() - t0
            step = now + timedelta(minutes=args.tick_minutes)
            if not any(r["placed"] or r["settled"] or r["claimed"] for r in results):
                due = _next_due(_plain(dsn), campaign_id)
                if due is not None and due > step:
                    step = due  # a night or a weekend: straight to the next lead due
            sim_clock = datetime.fromtimestamp(_control(base_url, "GET", "/state")["clock_ms"] / 1000, UTC)
            now = max(step, sim_clock)  # one clock: never behind the simulator's calls
            if ticks % 25 == 0:
                dials = sum(r["placed"] for r in passes)
                print(f"  tick {ticks}: simulated {now:%a %H:%M} UTC, {dials:,} dials", flush=True)
    finally:
        for inbox in inboxes:
            inbox.put(None)
        for p in procs:
            p.join(timeout=30)
        sampler.stopped.set()
    return {
        "ticks": ticks,
        "passes": passes,
        "status": status,
        "wall_s": time.perf_counter() - t_start,
        "settle_s": settle_s,
        "end": now,
        "max_in_flight": sampler.max_in_flight,
        "max_open": sampler.max_open,
        "samples": sampler.samples,
    }


# ------------------------------------------------------------------------------------------ checks


def check(base_url: str, campaign_id: int, max_attempts: int) -> dict[str, Any]:
    from sqlmodel import Session, select

    from voiceconsole.db import get_engine
    from voiceconsole.models import CallAttempt, Campaign, CampaignLead, Lead
    from voiceconsole.services.campaigns import campaigns, windows

    dials = [d for d in _control(base_url, "GET", "/dials?platform=retell")["dials"]]
    with Session(get_engine()) as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        window = campaigns.window_of(campaign)
        attempts = {
            a.public_id: a for a in session.exec(select(CallAttempt).where(CallAttempt.campaign_id == campaign_id))
        }
        zones = {
            lead_id: zone
            for lead_id, zone in session.exec(
                select(Lead.id, Lead.timezone).where(Lead.organization_id == campaign.organization_id)
            )
        }
        states = Counter(session.exec(select(CampaignLead.state).where(CampaignLead.campaign_id == campaign_id)))
    by_attempt = Counter(d["metadata"].get("attempt_id") for d in dials)
    unmatched = [d for d in dials if d["metadata"].get("attempt_id") not in attempts]
    per_lead_n = Counter((a.lead_id, a.n) for a in attempts.values())
    per_lead = Counter(attempts[d["metadata"]["attempt_id"]].lead_id for d in dials if d not in unmatched)
    outside = []
    for d in dials:
        attempt = attempts.get(d["metadata"].get("attempt_id"))
        if attempt is None or attempt.dialed_at is None:
            continue
        if not windows.is_open(window, attempt.dialed_at, zones.get(attempt.lead_id)):
            outside.append((attempt.public_id, attempt.dialed_at.isoformat(), zones.get(attempt.lead_id)))
    local_hours = Counter()
    for attempt in attempts.values():
        if attempt.dialed_at is not None:
            local = attempt.dialed_at.astimezone(windows.zone(zones.get(attempt.lead_id)))
            local_hours[local.hour] += 1
    return {
        "dials": len(dials),
        "dials_ok": sum(1 for d in dials if d.get("status") in (200, 201)),
        "attempts": len(attempts),
        "dup_attempt_ids": sum(n - 1 for n in by_attempt.values() if n > 1),
        "dup_lead_n": sum(n - 1 for n in per_lead_n.values() if n > 1),
        "over_max_attempts": sum(1 for n in per_lead.values() if n > max_attempts),
        "unmatched": len(unmatched),
        "outside": outside,
        "states": dict(states),
        "local_hours": (min(local_hours), max(local_hours)) if local_hours else None,
    }


# ------------------------------------------------------------------------------------------ main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", default=os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432"))
    ap.add_argument("--db", default="vc_campaign_bench")
    ap.add_argument("--leads", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--tick-minutes", type=int, default=2)
    ap.add_argument("--max-ticks", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--results", type=Path, default=BENCH_DIR / "RESULTS.md")
    ap.add_argument("--no-results", action="store_true")
    ap.add_argument("--keep-db", action="store_true")
    args = ap.parse_args()

    dsn = _recreate_database(args.server, args.db)
    # Set before anything reads the settings; the dispatcher processes inherit them.
    os.environ["DATABASE_URL"] = dsn
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
    os.environ["VOICECONSOLE_ALLOW_PRIVATE_TARGETS"] = "1"  # the simulator is on 127.0.0.1
    os.environ.setdefault("VOICECONSOLE_DATA_DIR", str(BENCH_DIR / ".data"))
    load_start = os.getloadavg()[0]
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    ctx = mp.get_context("spawn")
    sim = ctx.Process(target=_serve_simulator, args=(port, args.seed), daemon=True)
    sim.start()
    ok = False
    try:
        _wait_for(base_url, sim)
        from voiceconsole.migrations import upgrade

        upgrade("head")
        t0 = time.perf_counter()
        campaign_id, lead_count, zones = setup(base_url, args.leads, args.concurrency)
        print(f"setup: {lead_count:,} leads in {time.perf_counter() - t0:.1f} s; zones: {zones}", flush=True)
        from voiceconsole.db import get_engine

        get_engine().dispose()  # the dispatcher processes open their own
        run = run_campaign(args, dsn, base_url, campaign_id)
        found = check(base_url, campaign_id, max_attempts=2)
        load_end = os.getloadavg()[0]
        ok = (
            run["max_in_flight"] <= args.concurrency
            and run["max_open"] <= args.concurrency
            and found["dup_attempt_ids"] == found["dup_lead_n"] == found["over_max_attempts"] == 0
            and found["unmatched"] == 0
            and not found["outside"]
            and run["status"] == "completed"
        )
        text = report(args, run, found, lead_count, zones, load_start, load_end, ok)
        print(text)
        if not args.no_results:
            with args.results.open("a", encoding="utf-8") as f:
                f.write(text)
    finally:
        sim.terminate()
        sim.join(timeout=10)
        from voiceconsole.db import get_engine

        get_engine().dispose()
        if not args.keep_db:
            _drop_database(args.server, args.db)
    sys.exit(0 if ok else 1)


def report(
    args: argparse.Namespace,
    run: dict[str, Any],
    found: dict[str, Any],
    leads: int,
    zones: dict[str, int],
    load_start: float,
    load_end: float,
    ok: bool,
) -> str:
    passes = run["passes"]
    dials = sum(p["placed"] for p in passes)
    wall = sum(p["wall"] for p in passes)
    http_s = sum(p["http_s"] for p in passes)
    http_n = sum(p["http_n"] for p in passes)
    cpu = sum(p["cpu"] for p in passes)
    busy = [p for p in passes if p["placed"] or p["settled"]]
    by_tick: dict[datetime, float] = {}
    for p in passes:
        by_tick[p["now"]] = max(by_tick.get(p["now"], 0.0), p["wall"])
    elapsed = sum(by_tick.values())  # the passes of a tick run at once: the slower one is the tick's time
    per_dial = lambda s: s / dials * 1000 if dials else 0.0  # noqa: E731
    simulated = run["end"] - START
    zone_text = ", ".join(f"{z} {n:,}" for z, n in sorted(zones.items()))
    outside = found["outside"]
    mark = lambda good: "✅" if good else "❌"  # noqa: E731
    day = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    cap_ok = run["max_in_flight"] <= args.concurrency and run["max_open"] <= args.concurrency
    dups = (found["dup_attempt_ids"], found["dup_lead_n"], found["over_max_attempts"])
    dup_text = f"{dups[0]} / {dups[1]} / {dups[2]}"
    sampled = f"{run['max_in_flight']} / {run['max_open']} (cap {args.concurrency})"
    ticks = f"{run['ticks']:,} ticks, {len(passes):,} passes ({len(busy):,} with work)"
    rate = f"{run['wall_s']:.1f} s ({dials / run['wall_s']:.1f} dials/s)"
    http = f"{http_s:.1f} s, {http_n:,} requests ({per_dial(http_s):.1f} ms per dial)"
    return f"""
## Campaign run (`benchmarks/campaign_run.py`) — {day}

{leads:,} leads ({zone_text}) in one campaign against the Retell simulator (own process, real HTTP),
concurrency {args.concurrency}, window Monday–Friday 09:00–20:00 in each lead's zone, 2 attempts (retry after
60 min on no answer or busy); {args.workers} dispatcher processes running `dispatch_campaign` at the same moment
on every tick of a simulated clock ({args.tick_minutes} min per tick, nights and weekends skipped to the next due
lead), the simulator settled between ticks. PostgreSQL, the simulator and the dispatchers share the machine:
{os.cpu_count()} cores, 1-minute load average {load_start:.1f} at the start and {load_end:.1f} at the end (other
work runs on it), Python {host_platform.python_version()}.

| Check | value | |
|---|---:|:-:|
| Max in flight, sampled ({run["samples"]:,} samples; leads `in_flight` / attempts open) | {sampled} | {mark(cap_ok)} |
| Duplicate dials (same attempt id / same lead and attempt / lead over 2) | {dup_text} | {mark(dups == (0, 0, 0))} |
| Dials outside the lead's window | {len(outside)} of {found["dials"]:,} | {mark(not outside)} |
| Dials in the simulator's log without an attempt | {found["unmatched"]} | {mark(found["unmatched"] == 0)} |
| Campaign finished | {run["status"]}, lead states {found["states"]} | {mark(run["status"] == "completed")} |

| Figure | value |
|---|---:|
| Dials (simulator log / attempts / placed by the passes) | {found["dials"]:,} / {found["attempts"]:,} / {dials:,} |
| Simulated time | {simulated.days} d {simulated.seconds // 3600} h, {ticks} |
| Local hour of the dials (earliest–latest, lead's zone) | {found["local_hours"]} |
| Wall time, whole run (passes, settling, sampling) | {rate} |
| Dispatcher passes, elapsed (per tick the slower of the two) | {elapsed:.1f} s ({per_dial(elapsed):.1f} ms per dial) |
| Dispatcher passes, wall time summed over the processes | {wall:.1f} s ({per_dial(wall):.1f} ms per dial) |
| of which waiting for the simulator's HTTP answers | {http} |
| **Dispatcher overhead per dial** (pass time − HTTP time) / dials | **{per_dial(wall - http_s):.1f} ms** |
| Dispatcher CPU per dial (the processes' own CPU time) | {per_dial(cpu):.1f} ms |

Overhead is the dispatcher's own work per dial, summed over both processes: the claim (one dispatcher at a time
holds the campaign's lock, so the other's wait counts here), the attempt's bookkeeping around the dial (several
short PostgreSQL transactions), and settling the outcome (the call read back, stored and linked, the lead's
state moved on) — waiting for PostgreSQL included, the simulator's answer time excluded. Both processes read each
placed call back while settling (the second finds it settled), which is why there are about three requests per
dial. All checks: {"passed" if ok else "FAILED"}.
{"" if not outside else "Outside the window: " + repr(outside[:5])}
Reproduce: `.venv/bin/python benchmarks/campaign_run.py --leads {leads}`.
"""


if __name__ == "__main__":
    main()
