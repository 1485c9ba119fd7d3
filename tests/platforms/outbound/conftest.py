"""A small simulator served for the outbound tests, reset before each test, and a receiver for webhooks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.simulator import SimServer
from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
from voiceconsole.platforms.simulator.state import SimulatorState


@pytest.fixture(scope="session")
def outbound_sim():
    state = SimulatorState(
        seed=11, agents_per_platform=3, calls_per_platform=20, days=7, now=datetime(2026, 8, 1, 12, tzinfo=UTC)
    )
    url, stop = serve_in_thread(create_app(state))
    yield SimServer(url, state)
    stop()


@pytest.fixture
def sim(outbound_sim: SimServer) -> SimServer:
    outbound_sim.state.reset()
    return outbound_sim


@pytest.fixture
def receiver():
    """An HTTP endpoint recording what it receives: (url, [(headers, raw body)])."""
    received: list[tuple[dict, bytes]] = []

    async def hook(request: Request) -> Response:
        received.append((dict(request.headers), await request.body()))
        return Response(status_code=204)

    url, stop = serve_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])]))
    yield f"{url}/hook", received
    stop()
