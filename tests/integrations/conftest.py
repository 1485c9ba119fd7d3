"""Fixtures for the connector, sync, webhook and integration tests: the platform simulator served
over real HTTP in a thread, settings for tests (private targets allowed, tiny retry waits, small
pages), and helpers that run queued jobs through a real RQ SimpleWorker on the test Redis.
"""

from __future__ import annotations

import pytest
from rq import SimpleWorker

from tests.conftest import bearer

SIM_KEYS = {"retell": "sim_retell_key", "vapi": "sim_vapi_key", "elevenlabs": "sim_elevenlabs_key"}
SIM_CALLS = 230  # per platform: several pages at PAGE_SIZE
SIM_AGENTS = 6
PAGE_SIZE = 50
RETRIES = 3


@pytest.fixture(autouse=True)
def integration_settings(monkeypatch):
    """Settings as a developer running against the simulator would set them."""
    from voiceconsole.settings import get_settings

    monkeypatch.setenv("VOICECONSOLE_ALLOW_PRIVATE_TARGETS", "1")
    monkeypatch.setenv("VOICECONSOLE_PLATFORM_RETRIES", str(RETRIES))
    monkeypatch.setenv("VOICECONSOLE_PLATFORM_BACKOFF_S", "0.01")
    monkeypatch.setenv("VOICECONSOLE_PLATFORM_MAX_BACKOFF_S", "0.05")
    monkeypatch.setenv("VOICECONSOLE_PLATFORM_TIMEOUT_S", "20")
    monkeypatch.setenv("VOICECONSOLE_PLATFORM_PAGE_SIZE", str(PAGE_SIZE))
    get_settings.cache_clear()
    yield get_settings()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def no_jobs_left_behind():
    """Queues hold only this test's jobs, and none are left for later tests (whose workers drain every
    queue: another test's sync job against a closed port would slow them down or worse)."""
    from voiceconsole.jobs.enqueue import all_queues

    for queue in all_queues():
        queue.empty()
    yield
    for queue in all_queues():
        queue.empty()


@pytest.fixture(scope="session")
def simulator():
    """(state, base_url) of one simulator for the session; `sim` resets it for each test."""
    from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
    from voiceconsole.platforms.simulator.state import SimulatorState

    state = SimulatorState(seed=11, agents_per_platform=SIM_AGENTS, calls_per_platform=SIM_CALLS, days=30)
    base_url, stop = serve_in_thread(create_app(state))
    yield state, base_url
    stop()


class Sim:
    def __init__(self, state, base_url: str):
        self.state, self.base_url = state, base_url

    def url(self, platform: str) -> str:
        return f"{self.base_url}/{platform}"

    def key(self, platform: str) -> str:
        return SIM_KEYS[platform]

    def call_count(self, platform: str) -> int:
        return len(self.state.data(platform).calls)

    def agent_count(self, platform: str) -> int:
        return len(self.state.data(platform).agents)

    def requests(self, platform: str, path_prefix: str = "") -> list:
        return [r for r in list(self.state.requests) if r.platform == platform and r.path.startswith(path_prefix)]


@pytest.fixture
def sim(simulator) -> Sim:
    state, base_url = simulator
    state.reset()
    return Sim(state, base_url)


@pytest.fixture
def sync_queue():
    """The sync queue, emptied of other tests' leftovers."""
    from voiceconsole.jobs.enqueue import get_queue

    queue = get_queue("sync")
    queue.empty()
    return queue


def run_jobs(*names: str) -> None:
    """Run everything queued on these queues in this process (a real RQ worker, burst mode)."""
    from voiceconsole.jobs.enqueue import get_queue
    from voiceconsole.redis_client import get_redis

    queues = [get_queue(n) for n in (names or ("sync", "default", "scoring"))]
    SimpleWorker(queues, connection=get_redis()).work(burst=True)


def connect(factory, sim: Sim, platform: str, *, key: str | None = None):
    """An organization with one integration of `platform` pointing at the simulator (no sync yet)."""
    from voiceconsole.services import integrations
    from voiceconsole.services.access.actor import SYSTEM

    org = factory.org()
    integration = integrations.create_integration(
        factory.s, org=org, platform=platform, api_key=key or sim.key(platform), label=f"{platform} test",
        base_url=sim.url(platform), actor=SYSTEM)
    factory.s.commit()
    return org, integration


__all__ = ["Sim", "bearer", "connect", "run_jobs", "PAGE_SIZE", "RETRIES", "SIM_CALLS", "SIM_AGENTS", "SIM_KEYS"]
