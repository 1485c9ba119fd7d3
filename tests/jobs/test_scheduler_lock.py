"""Exactly one ticker ticks at a time across processes (jobs/scheduler.py): a second waits, takes the schedule
over within one lock expiry when the holder is killed (SIGKILL: its lock is no longer renewed), at once when
the holder stops gracefully; and each bucket's periodic job is enqueued once however the tickers overlap.

The tickers run in separate processes (real Redis, as workers on other hosts would), each recording its ticks
in a Redis list: `name bucket enqueued`.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

TTL_S = 1.5
TICK_S = 0.25  # a bucket: the holder ticks once per bucket
ROOT = Path(__file__).resolve().parents[2]

TICKER = """
import sys, threading, time
from voiceconsole import enqueue
from voiceconsole.jobs.scheduler import start_ticker
from voiceconsole.redis_client import get_redis

name, key, ticks_key, ttl, tick_s, tag = *sys.argv[1:4], float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
enqueue.scoped("warm-up")  # the instance id, read before the thread starts (as run_worker does)

def tick():
    now = time.time()
    enqueued = enqueue.once_per_bucket(
        "default", "voiceconsole.jobs.nothing", name=f"lock-test-{tag}", seconds=tick_s, now=now, ttl=60
    )
    get_redis().rpush(ticks_key, f"{name} {int(now // tick_s)} {int(enqueued)} {now}")

stop = threading.Event()
start_ticker(stop, ttl_s=ttl, ticks=[tick], tick_s=tick_s, key=key)
print("ready", flush=True)
sys.stdin.readline()  # a line (or EOF) asks for a graceful stop
stop.set()
time.sleep(0.5)
"""


class Tickers:
    def __init__(self, redis):
        self.redis, self.tag = redis, secrets.token_hex(4)
        self.key = f"voiceconsole:test-scheduler-lock-{self.tag}"
        self.ticks_key = f"{self.key}:ticks"
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *, key: str | None = None) -> None:
        proc = subprocess.Popen(
            [sys.executable, "-c", TICKER, name, key or self.key, self.ticks_key, str(TTL_S), str(TICK_S), self.tag],
            cwd=ROOT,
            env=os.environ.copy(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        self.procs[name] = proc

    def ticks(self) -> list[tuple[str, int, bool, float]]:
        out = []
        for raw in self.redis.lrange(self.ticks_key, 0, -1):
            name, bucket, enqueued, at = raw.decode().split()
            out.append((name, int(bucket), enqueued == "1", float(at)))
        return out

    def holder(self) -> str:
        names = {name for name, *_ in self.ticks()}
        assert len(names) == 1, names
        return names.pop()

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
        self.redis.delete(self.key, self.ticks_key)
        for job_id in self.redis.scan_iter(f"rq:job:*lock-test-{self.tag}*"):
            self.redis.delete(job_id)


@pytest.fixture
def tickers():
    from voiceconsole.enqueue import get_queue
    from voiceconsole.redis_client import get_redis

    t = Tickers(get_redis())
    yield t
    t.stop_all()
    queue = get_queue("default")
    for job_id in queue.job_ids:
        if f"lock-test-{t.tag}" in job_id:
            queue.remove(job_id)


def _wait_for(predicate, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s")


def test_two_tickers_one_ticks_and_a_killed_holder_is_taken_over_within_one_expiry(tickers):
    tickers.start("a")
    tickers.start("b")
    time.sleep(2.0)
    holder = tickers.holder()  # only one of the two ever ticked
    other = "b" if holder == "a" else "a"
    before = tickers.ticks()
    assert len(before) >= 4  # about one a bucket
    assert all(enqueued for _, _, enqueued, _ in before)

    tickers.procs[holder].send_signal(signal.SIGKILL)
    killed_at = time.time()
    _wait_for(lambda: any(name == other for name, *_ in tickers.ticks()), timeout=TTL_S + 2)
    first_by_other = min(at for name, _, _, at in tickers.ticks() if name == other)
    assert first_by_other - killed_at <= TTL_S + 0.5  # one expiry, plus at most one step of the survivor
    time.sleep(1.0)

    ticks = tickers.ticks()
    after_kill = {name for name, _, _, at in ticks if at > killed_at}
    assert after_kill == {other}
    buckets = [bucket for _, bucket, enqueued, _ in ticks if enqueued]
    assert len(buckets) == len(set(buckets))  # every bucket's job enqueued once
    # At most the buckets of one expiry were missed between the holder's last tick and the survivor's first.
    assert max(b2 - b1 for b1, b2 in zip(sorted(buckets), sorted(buckets)[1:], strict=False)) <= (TTL_S / TICK_S) + 2


def test_a_holder_stopping_gracefully_hands_over_at_once(tickers):
    tickers.start("a")
    _wait_for(lambda: tickers.ticks(), timeout=3)
    tickers.start("b")
    time.sleep(0.6)
    assert tickers.holder() == "a"
    proc = tickers.procs["a"]
    assert proc.stdin is not None
    proc.stdin.write("\n")
    proc.stdin.flush()
    stopped_at = time.time()
    assert proc.wait(5) == 0
    _wait_for(lambda: any(name == "b" for name, *_ in tickers.ticks()), timeout=TTL_S)
    first_by_b = min(at for name, _, _, at in tickers.ticks() if name == "b")
    assert first_by_b - stopped_at < 1.2  # released, not left to expire: within one step (1 s at most)


def test_overlapping_tickers_still_enqueue_each_bucket_once(tickers):
    # Two holders at once (each with its own lock: what a lock lost to a Redis failover could allow).
    tickers.start("a", key=f"{tickers.key}-a")
    tickers.start("b", key=f"{tickers.key}-b")
    time.sleep(2.0)
    ticks = tickers.ticks()
    assert {name for name, *_ in ticks} == {"a", "b"}
    enqueued = [bucket for _, bucket, ok, _ in ticks if ok]
    assert len(enqueued) == len(set(enqueued)) and len(enqueued) >= 4
    tickers.redis.delete(f"{tickers.key}-a", f"{tickers.key}-b")


def test_the_lock_is_renewed_by_its_holder_and_released_only_by_it():
    from voiceconsole.jobs.scheduler import SchedulerLock
    from voiceconsole.redis_client import get_redis

    key = f"voiceconsole:test-scheduler-lock-{secrets.token_hex(4)}"
    a = SchedulerLock(get_redis(), key=key, ttl_s=0.5)
    b = SchedulerLock(get_redis(), key=key, ttl_s=0.5)
    try:
        assert a.hold() and not b.hold()
        for _ in range(4):  # renewed past its first expiry
            time.sleep(0.2)
            assert a.hold() and not b.hold()
        assert not b.release() and a.release()
        assert b.hold() and not a.hold()
        time.sleep(0.7)  # b never renews: expired, a takes it
        assert a.hold()
    finally:
        get_redis().delete(key)


def test_run_worker_wires_sigterm_to_the_ticker():
    """A warm shutdown request (SIGTERM) stops the ticker, which releases the lock (jobs/worker.py)."""
    from voiceconsole.jobs.worker import VoiceConsoleSimpleWorker
    from voiceconsole.redis_client import get_redis

    worker = VoiceConsoleSimpleWorker([], connection=get_redis())
    worker.ticker_stop = threading.Event()
    from rq.worker.base import StopRequested

    with pytest.raises(StopRequested):  # idle: RQ stops at once
        worker.request_stop(signal.SIGTERM, None)
    assert worker.ticker_stop.is_set()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
