"""The platform simulator served over real HTTP in a thread, as the platforms behind the integrations of
the intake and demo tests (tests/support/simulator.py has its settings and helpers)."""

from __future__ import annotations

import pytest

from tests.support.simulator import SIM_AGENTS, SIM_CALLS, IntegrationSim


@pytest.fixture(scope="session")
def simulator():
    """(state, base_url) of one simulator for the session; `sim` resets it for each test."""
    from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
    from voiceconsole.platforms.simulator.state import SimulatorState

    state = SimulatorState(seed=11, agents_per_platform=SIM_AGENTS, calls_per_platform=SIM_CALLS, days=30)
    base_url, stop = serve_in_thread(create_app(state))
    yield state, base_url
    stop()


@pytest.fixture
def sim(simulator) -> IntegrationSim:
    state, base_url = simulator
    state.reset()
    return IntegrationSim(state, base_url)
