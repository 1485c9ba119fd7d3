"""A simulator served over real HTTP for the whole session: SDK and control-API tests share it.

Tests that change the data use `fresh_sim`, which resets the state afterwards so the shared
server stays as generated.
"""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

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


@pytest.fixture
def receiver():
    """A tiny HTTP endpoint that records what it receives: (url, [(headers, raw body)])."""
    received: list[tuple[dict, bytes]] = []

    async def hook(request: Request) -> Response:
        received.append((dict(request.headers), await request.body()))
        return Response(status_code=204)

    url, stop = serve_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])]))
    yield f"{url}/hook", received
    stop()
