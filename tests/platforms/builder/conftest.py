"""A small simulator served for the builder tests, reset before each test."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.simulator import SimServer
from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
from voiceconsole.platforms.simulator.state import SimulatorState


@pytest.fixture(scope="session")
def builder_sim():
    state = SimulatorState(
        seed=5, agents_per_platform=3, calls_per_platform=30, days=7, now=datetime(2026, 8, 1, 12, tzinfo=UTC)
    )
    url, stop = serve_in_thread(create_app(state))
    yield SimServer(url, state)
    stop()


@pytest.fixture
def sim(builder_sim: SimServer) -> SimServer:
    builder_sim.state.reset()
    return builder_sim
