"""A simulator served over real HTTP for the whole session: SDK and control-API tests share it.

Tests that change the data use `fresh_sim`, which resets the state afterwards so the shared
server stays as generated.
"""

from __future__ import annotations

import pytest

from tests.support.simulator import AGENTS, CALLS, NOW, SimServer
from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
from voiceconsole.platforms.simulator.state import SimulatorState


@pytest.fixture(scope="session")
def sim():
    state = SimulatorState(seed=7, agents_per_platform=AGENTS, calls_per_platform=CALLS, now=NOW)
    url, stop = serve_in_thread(create_app(state))
    yield SimServer(url, state)
    stop()


@pytest.fixture
def fresh_sim(sim):
    sim.state.reset()
    yield sim
    sim.state.reset()
