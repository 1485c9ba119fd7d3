"""A simulator served over real HTTP for the whole module: SDK and control-API tests share it.

Tests that change the data use `fresh_sim`, which resets the state afterwards so the shared
server stays as generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
from voiceconsole.platforms.simulator.state import SimulatorState

NOW = datetime(2026, 8, 1, 12, 0, tzinfo=timezone.utc)
CALLS = 400
AGENTS = 8


@dataclass
class Sim:
    url: str
    state: SimulatorState

    def base(self, platform: str) -> str:
        return f"{self.url}/{platform}"

    def key(self, platform: str) -> str:
        return self.state.api_keys[platform]


@pytest.fixture(scope="session")
def sim():
    state = SimulatorState(seed=7, agents_per_platform=AGENTS, calls_per_platform=CALLS, now=NOW)
    url, stop = serve_in_thread(create_app(state))
    yield Sim(url, state)
    stop()


@pytest.fixture
def fresh_sim(sim):
    sim.state.reset()
    yield sim
    sim.state.reset()
