"""The deployment's metrics, read when Prometheus scrapes: the same whichever web process answers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import accumulate

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from rq.registry import DeferredJobRegistry, FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import func
from sqlmodel import Session, col, select

from voiceconsole.db import get_engine
from voiceconsole.enqueue import all_queues
from voiceconsole.models import Delivery, Integration
from voiceconsole.models.types import utcnow
from voiceconsole.services.metrics.jobs import DURATION_BUCKETS, read_job_stats

log = logging.getLogger(__name__)


class DeploymentCollector(Collector):
    """Each part is read on its own: one that cannot be read (Redis or the database away) is left out of the
    scrape, logged, and counted in `voiceconsole_metrics_unavailable`, the others are still answered."""

    def collect(self) -> Iterator[Metric]:
        unavailable = GaugeMetricFamily(
            "voiceconsole_metrics_unavailable", "1 when a part of the metrics could not be read", labels=["part"]
        )
        for part, read in (
            ("queues", _queues),
            ("jobs", _jobs),
            ("sync_lag", _sync_lag),
            ("deliveries", _deliveries),
        ):
            try:
                families = list(read())
            except Exception as exc:  # noqa: BLE001 (a dependency away: the rest of the scrape still answers)
                log.warning("metrics: %s unavailable (%s)", part, type(exc).__name__)
                unavailable.add_metric([part], 1)
                continue
            unavailable.add_metric([part], 0)
            yield from families
        yield unavailable


def _queues() -> Iterator[Metric]:
    depth = GaugeMetricFamily(
        "voiceconsole_queue_jobs",
        "RQ jobs per queue and state (queued: waiting; started: running; scheduled: retries and delayed runs)",
        labels=["queue", "state"],
    )
    for queue in all_queues():
        redis = queue.connection
        depth.add_metric([queue.name, "queued"], queue.count)
        for state, registry in (
            ("started", StartedJobRegistry(queue=queue)),
            ("scheduled", ScheduledJobRegistry(queue=queue)),
            ("deferred", DeferredJobRegistry(queue=queue)),
            ("failed", FailedJobRegistry(queue=queue)),
        ):
            depth.add_metric([queue.name, state], int(redis.zcard(registry.key)))  # type: ignore[arg-type]  # no cleanup, unlike .count
    yield depth


def _jobs() -> Iterator[Metric]:
    outcomes = CounterMetricFamily(
        "voiceconsole_jobs", "Jobs performed by the workers, by job function and outcome", labels=["job", "outcome"]
    )
    durations = HistogramMetricFamily(
        "voiceconsole_job_duration_seconds", "How long jobs ran, by job function", labels=["job"]
    )
    bounds = [str(b) for b in DURATION_BUCKETS] + ["+Inf"]
    for job, stats in sorted(read_job_stats().items()):
        for outcome, count in sorted(stats.outcomes.items()):
            outcomes.add_metric([job, outcome], count)
        cumulative = list(accumulate(stats.buckets))
        durations.add_metric([job], list(zip(bounds, cumulative, strict=True)), sum_value=stats.seconds)
    yield outcomes
    yield durations


def _sync_lag() -> Iterator[Metric]:
    lag = GaugeMetricFamily(
        "voiceconsole_integration_sync_lag_seconds",
        "Seconds since the integration's last good sync (since it was connected, before its first)",
        labels=["integration", "platform"],
    )
    now = utcnow()
    with Session(get_engine()) as session:
        rows = session.exec(
            select(Integration.public_id, Integration.platform, Integration.last_good_sync_at, Integration.created_at)
            .where(col(Integration.disconnected_at).is_(None))
            .order_by(col(Integration.id))
        ).all()
    for public_id, platform, last_good, created in rows:
        lag.add_metric([public_id, platform], max(0.0, (now - (last_good or created)).total_seconds()))
    yield lag


def _deliveries() -> Iterator[Metric]:
    deliveries = GaugeMetricFamily(
        "voiceconsole_notification_deliveries",
        "Notification deliveries (webhook, Slack, Discord, email) by status: pending, delivering, delivered, failed…",
        labels=["status"],
    )
    with Session(get_engine()) as session:
        rows = session.exec(select(Delivery.status, func.count()).group_by(col(Delivery.status))).all()
    for status, count in sorted(rows):
        deliveries.add_metric([status], count)
    yield deliveries
