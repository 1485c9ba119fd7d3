"""Worker entry point: `voiceconsole worker [--burst]`."""

from __future__ import annotations

import threading

from rq import SimpleWorker, Worker

from voiceconsole.enqueue import all_queues
from voiceconsole.jobs.scheduler import start_ticker
from voiceconsole.redis_client import get_redis


def run_worker(*, burst: bool = False, simple: bool = False) -> bool:
    stop = threading.Event()
    if not burst:
        start_ticker(stop)
    cls = SimpleWorker if simple else Worker
    worker = cls(all_queues(), connection=get_redis())
    try:
        # with_scheduler moves retries and enqueue_at jobs onto their queues when due.
        return worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        stop.set()
