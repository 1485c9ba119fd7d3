"""Job outcomes and durations, by job function, counted in one Redis hash per deployment.

Workers run on hosts that serve no HTTP and fork a process per job, so they keep no metrics of their own:
each finished job adds to the hash (one pipelined round trip), and any web process exports it at scrape
time (cluster.py). Redis losing the hash resets the counters, which Prometheus treats as a counter reset.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from voiceconsole.enqueue import scoped
from voiceconsole.redis_client import get_redis

DURATION_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0)
OUTCOMES = ("succeeded", "failed")


def _key() -> str:
    return f"voiceconsole:{scoped('job-metrics')}"


def job_label(func_name: str | None) -> str:
    """`voiceconsole.jobs.sync.sync_integration_job` → `sync_integration_job`."""
    return (func_name or "unknown").rsplit(".", 1)[-1]


def record_job(func_name: str | None, *, succeeded: bool, seconds: float) -> None:
    """Count one finished job (called by the worker for every job it performs)."""
    job = job_label(func_name)
    bucket = bisect.bisect_left(DURATION_BUCKETS, seconds)  # len(DURATION_BUCKETS): above the last bound
    pipe = get_redis().pipeline(transaction=False)
    pipe.hincrby(_key(), f"{job}|{OUTCOMES[0] if succeeded else OUTCOMES[1]}", 1)
    pipe.hincrbyfloat(_key(), f"{job}|sum", seconds)
    pipe.hincrby(_key(), f"{job}|bucket|{bucket}", 1)
    pipe.execute()


@dataclass
class JobStats:
    outcomes: dict[str, int] = field(default_factory=dict)
    buckets: list[int] = field(default_factory=lambda: [0] * (len(DURATION_BUCKETS) + 1))  # not cumulative
    seconds: float = 0.0


def read_job_stats() -> dict[str, JobStats]:
    """What the workers counted, by job."""
    raw: dict[bytes, bytes] = get_redis().hgetall(_key())  # type: ignore[assignment]  # sync client
    stats: dict[str, JobStats] = {}
    for name, value in raw.items():
        job, _, rest = name.decode().partition("|")
        entry = stats.setdefault(job, JobStats())
        if rest == "sum":
            entry.seconds = float(value)
        elif rest.startswith("bucket|"):
            index = int(rest.removeprefix("bucket|"))
            if 0 <= index < len(entry.buckets):
                entry.buckets[index] = int(value)
        elif rest in OUTCOMES:
            entry.outcomes[rest] = int(value)
    return stats
