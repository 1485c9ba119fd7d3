"""A/B of the REST API's latency between two commits, under the same machine noise.

    .venv/bin/python benchmarks/api_ab.py --base 7f2e2be            # base commit vs the working tree
    .venv/bin/python benchmarks/api_ab.py --base main~3 --requests 500

Why: on a shared 2-core machine the medians of `api_latency.py` move by ±40% between runs minutes apart,
so two runs of it cannot tell a 20% change from noise. Here both versions serve at once (uvicorn, 1 worker
each, same PostgreSQL database), and every request goes alternately to one and the other, in alternating
order, so any slow spell hits both equally.

Needs the `vc_bench` database of `api_latency.py` (run that once; `--keep` reuses it). The base commit is
checked out with `git worktree` under benchmarks/.data/ab-base and runs with this checkout's virtualenv;
the two commits must share the database schema (same migrations). Each server has its own Redis database
(--redis-url base, db +1 for the second) so the two never share a rate-limit bucket. Prints a Markdown
table; add it to RESULTS.md by hand with the machine and the commits.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / ".data"
sys.path.insert(0, str(ROOT))

from api_latency import start_api  # noqa: E402 (benchmarks/ is this script's own directory)

PATHS = (
    ("health", "/api/health"),
    ("auth/me", "/api/v1/auth/me"),
    ("agents", "/api/v1/agents"),
    ("calls page 1", "/api/calls"),
    ("calls page 500", "/api/calls?page=500&perPage=20"),
    ("calls filtered", "/api/calls?sentiment=Negative&minScore=0&maxScore=50"),
)


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def checkout_base(ref: str) -> Path:
    where = DATA_DIR / "ab-base"
    sha = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    if where.exists():
        subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=ROOT, check=False, capture_output=True)
    git("worktree", "add", "--force", "--detach", str(where), sha)
    return where


KEYS = 8  # requests rotate over several keys so pacing under the per-key limit leaves no long idle gaps


def new_keys(url: str) -> list[str]:
    os.environ["DATABASE_URL"] = url
    from api_latency import ORG_SLUG, _child_make_key
    from sqlmodel import Session, select

    from voiceconsole.db import get_engine
    from voiceconsole.models import Organization

    with Session(get_engine()) as session:
        org = session.exec(select(Organization).where(Organization.slug == ORG_SLUG)).first()
        if org is None:
            raise SystemExit(f"no `{ORG_SLUG}` organization: run benchmarks/api_latency.py once first")
        org_id = org.id
    return [_child_make_key(org_id, name=f"ab-{i}") for i in range(KEYS)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help="commit (or ref) to compare the working tree against")
    ap.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/vc_bench")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/8", help="base's; the head uses db + 1")
    ap.add_argument("--requests", type=int, default=300, help="timed requests per endpoint and version")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--port", type=int, default=8101, help="base's; the head uses port + 1")
    args = ap.parse_args()

    import httpx

    base_root = checkout_base(args.base)
    prefix, db = args.redis_url.rsplit("/", 1)
    redis_urls = {"base": args.redis_url, "head": f"{prefix}/{int(db) + 1}"}
    keys = new_keys(args.db)
    ports = {"base": args.port, "head": args.port + 1}
    roots = {"base": base_root, "head": ROOT}
    procs = []
    try:
        clients = {}
        for name, port in ports.items():
            procs.append(
                start_api(
                    args,
                    args.db,
                    {"REDIS_URL": redis_urls[name]},
                    log_name=f"ab-{name}.log",
                    root=roots[name],
                    port=port,
                )
            )
            clients[name] = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
        times: dict[tuple[str, str], list[float]] = {}
        for label, path in PATHS:
            for i in range(args.warmup + args.requests):
                for name in ("base", "head") if i % 2 else ("head", "base"):
                    t0 = time.perf_counter()
                    r = clients[name].get(path, headers={"Authorization": f"Bearer {keys[i % KEYS]}"})
                    r.content  # noqa: B018 (read the whole body)
                    elapsed = (time.perf_counter() - t0) * 1000
                    if r.status_code != 200:
                        raise SystemExit(f"{name} {path}: {r.status_code} {r.text[:200]}")
                    if i >= args.warmup:
                        times.setdefault((name, label), []).append(elapsed)
                time.sleep(0.07 / KEYS)  # each key and server stays under the agency plan's 1,000 requests/min

        def p95(xs: list[float]) -> float:
            return statistics.quantiles(xs, n=20)[18]

        head = git("rev-parse", "--short", "HEAD") + (
            "+changes" if git("status", "--porcelain", "--", "voiceconsole") else ""
        )
        print(
            f"base {git('rev-parse', '--short', args.base)} vs head {head}; {args.requests} requests each, "
            f"interleaved; ms"
        )
        print("| Request | base median | head median | base p95 | head p95 | head / base (median) |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, path in PATHS:
            b, h = times[("base", label)], times[("head", label)]
            print(
                f"| `GET {path}` | {statistics.median(b):.2f} | {statistics.median(h):.2f} | {p95(b):.2f} | "
                f"{p95(h):.2f} | {statistics.median(h) / statistics.median(b):.2f} |"
            )
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)


if __name__ == "__main__":
    main()
