"""Metrics of this process: counted in memory (in PROMETHEUS_MULTIPROC_DIR's files in multiprocess mode)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUEST_SECONDS = Histogram(
    "voiceconsole_http_request_duration_seconds",
    "HTTP requests by route template (`/api/v1/calls/{call_id}`, not the raw path) and status; its _count counts them.",
    ("method", "route", "status"),
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "voiceconsole_rate_limit_refusals",
    "Requests refused with 429 by the per-key, per-user or per-address rate limits.",
    registry=REGISTRY,
)


def observe_request(*, method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUEST_SECONDS.labels(method if method in _METHODS else "OTHER", route, str(status)).observe(seconds)


def count_rate_limited() -> None:
    RATE_LIMITED.inc()
