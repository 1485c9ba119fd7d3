"""The platform simulator in tests: its settings and handles on a running one.

Two setups share the simulator code but not their data:
- the simulator's own tests (tests/platforms/simulator): one served simulator for the session, `NOW`,
  `CALLS` and `AGENTS` per platform (`SimServer`);
- the platforms behind our integrations (tests/services/intake, tests/services/test_demo.py): a
  simulator reset for each test (`IntegrationSim`), small pages and quick retries, `connect` to make an
  organization with an integration pointing at it, and `run_jobs` to run what got queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from voiceconsole.platforms.simulator.state import SimulatorState

# --------------------------------------------------------------------------------------------------
# The simulator's own tests
# --------------------------------------------------------------------------------------------------

NOW = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
CALLS = 400
AGENTS = 8


@dataclass
class SimServer:
    url: str
    state: SimulatorState

    def base(self, platform: str) -> str:
        return f"{self.url}/{platform}"

    def key(self, platform: str) -> str:
        return self.state.api_keys[platform]


# --------------------------------------------------------------------------------------------------
# The platforms behind our integrations
# --------------------------------------------------------------------------------------------------

SIM_KEYS = {"retell": "sim_retell_key", "vapi": "sim_vapi_key", "elevenlabs": "sim_elevenlabs_key"}
SIM_CALLS = 230  # per platform: several pages at PAGE_SIZE
SIM_AGENTS = 6
PAGE_SIZE = 50
RETRIES = 3


class IntegrationSim:
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


def run_jobs(*names: str) -> None:
    """Run everything queued on these queues in this process (the product's own worker class, burst mode)."""
    from voiceconsole.enqueue import get_queue
    from voiceconsole.jobs.worker import VoiceConsoleSimpleWorker
    from voiceconsole.redis_client import get_redis

    queues = [get_queue(n) for n in (names or ("sync", "default", "scoring"))]
    VoiceConsoleSimpleWorker(queues, connection=get_redis()).work(burst=True)


def connect(factory, sim: IntegrationSim, platform: str):
    """An organization with one integration of `platform` pointing at the simulator (no sync yet).

    Connected as anyone's is: the simulator was asked once whether it accepts the key. That request is
    then forgotten, so a test sees in `sim.requests` only what happened after connecting."""
    from voiceconsole.services import integrations
    from voiceconsole.services.access.actor import SYSTEM

    org = factory.org()
    asked = len(sim.requests(platform))
    integration = integrations.create_integration(
        factory.s,
        org=org,
        platform=platform,
        api_key=sim.key(platform),
        label=f"{platform} test",
        base_url=sim.url(platform),
        actor=SYSTEM,
    )
    factory.s.commit()
    assert len(sim.requests(platform)) == asked + 1  # the key check
    with sim.state.lock:
        sim.state.requests.clear()
    return org, integration
