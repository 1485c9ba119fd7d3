"""Prometheus metrics (`GET /api/metrics`, api/metrics.py).

Two kinds, so that a scrape of any web process is right however many hosts there are:
- this process's own (`process.py`): HTTP requests by route template and status, rate-limit refusals.
  Scrape every web process (or run several on one host with PROMETHEUS_MULTIPROC_DIR: prometheus-client's
  multiprocess mode then sums them) and add them up in Prometheus (`sum by (route, status)`).
- the deployment's (`cluster.py`), read at scrape time from Redis and the database, the same whichever web
  process answers: RQ queue depths, job outcomes and durations (kept in Redis by the workers, `jobs.py`:
  workers on other hosts serve no HTTP), sync lag per integration, notification deliveries by status.
  Aggregate these with `max`, not `sum`, when several web processes are scraped.
"""

from voiceconsole.services.metrics.exposition import render
from voiceconsole.services.metrics.jobs import record_job
from voiceconsole.services.metrics.process import count_rate_limited, observe_request

__all__ = ["count_rate_limited", "observe_request", "record_job", "render"]
