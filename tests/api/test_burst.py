"""A burst from one API key must never stall other tenants (real HTTP, one uvicorn process).

Before: 500 requests, 100 in flight, from a key the process had not seen yet left every request thread
waiting for a pooled connection while the connections waited for a thread to be returned: 40 answers of
500 and another organization's request took 30 s (the pool's timeout)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.support.http import bearer
from tests.support.live_api import live_api, server_log

REQUESTS = 300
IN_FLIGHT = 100
OTHER_TENANT_BUDGET_S = 10.0  # the old stall was the pool's 30 s timeout; a healthy answer takes well under 1 s


@pytest.fixture(scope="module")
def api_url(tmp_path_factory):
    logs = tmp_path_factory.mktemp("burst")
    with live_api(logs) as base:
        yield base, logs


async def _burst(base: str, burst_key: str, other_key: str) -> tuple[dict, float, int]:
    statuses: dict[object, int] = {}
    limits = httpx.Limits(max_connections=IN_FLIGHT + 10)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def one() -> None:
            async with gate:
                try:
                    response = await client.get("/api/v1/calls", params={"perPage": 20}, headers=bearer(burst_key))
                    code: object = response.status_code
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                statuses[code] = statuses.get(code, 0) + 1

        async def other_tenant() -> tuple[float, int]:
            await asyncio.sleep(0.2)  # while the burst is in full swing
            started = time.monotonic()
            response = await client.get("/api/v1/clients", headers=bearer(other_key))
            return time.monotonic() - started, response.status_code

        *_, (other_s, other_status) = await asyncio.gather(*(one() for _ in range(REQUESTS)), other_tenant())
    return statuses, other_s, other_status


def test_a_burst_from_a_fresh_key_does_not_stall_another_tenant(api_url, factory):
    base, logs = api_url
    burst_org, other_org = factory.org(plan="free"), factory.org(plan="agency")
    burst_key, other_key = factory.api_key(burst_org), factory.api_key(other_org)  # neither seen by the server

    statuses, other_s, other_status = asyncio.run(_burst(base, burst_key, other_key))

    assert set(statuses) <= {200, 429}, (statuses, server_log(logs)[-3000:])
    assert statuses.get(200, 0) >= 1 and sum(statuses.values()) == REQUESTS
    assert other_status == 200
    assert other_s < OTHER_TENANT_BUDGET_S, f"the other tenant waited {other_s:.1f} s"
    assert "Traceback" not in server_log(logs)
