"""The text Prometheus scrapes: this process's metrics (or, in multiprocess mode, every process's on this
host) and the deployment's."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from voiceconsole.services.metrics.cluster import DeploymentCollector
from voiceconsole.services.metrics.process import REGISTRY
from voiceconsole.settings import get_settings


class _ThisProcess(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def render() -> tuple[bytes, str]:
    """The exposition and its content type. Reads Redis and the database: call it from a thread."""
    registry = CollectorRegistry(auto_describe=False)
    multiproc_dir = get_settings().metrics_multiproc_dir
    if multiproc_dir:
        MultiProcessCollector(registry, path=multiproc_dir)
    else:
        registry.register(_ThisProcess())
    registry.register(DeploymentCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
