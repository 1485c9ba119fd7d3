"""What the outbound tests share: connectors and dialers on the simulator, requests, and control-API helpers."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.support.simulator import SimServer
from voiceconsole.platforms.connector import Connector, RetryPolicy
from voiceconsole.platforms.outbound import DialRequest, OutboundDialer, dialer_for
from voiceconsole.platforms.registry import make_connector

QUICK = RetryPolicy(retries=3, backoff_s=0.01, max_backoff_s=0.02, max_total_wait_s=0.2, timeout_s=10)


def connector(sim: SimServer, platform: str) -> Connector:
    return make_connector(platform, sim.key(platform), sim.base(platform), retry=QUICK, page_size=50)


def dialer(sim: SimServer, platform: str) -> OutboundDialer:
    return dialer_for(connector(sim, platform))


def agent_id(sim: SimServer, platform: str) -> str:
    return next(iter(sim.state.data(platform).agents))


def caller(sim: SimServer, platform: str, agent: str) -> str:
    """What a call comes from: Retell any E.164 number, Vapi the agent's phone-number id."""
    if platform == "retell":
        return "+14155550100"
    return next(n["id"] for n in sim.state.vapi_phone_numbers() if n["assistantId"] == agent)


def request(sim: SimServer, platform: str, to: str, attempt: str = "att-1", **more: Any) -> DialRequest:
    agent = agent_id(sim, platform)
    return DialRequest(
        platform_agent_id=agent,
        from_number=caller(sim, platform, agent),
        to_number=to,
        metadata={"lead_id": "lead-1", "attempt_id": attempt},
        dynamic_variables={"first_name": "Ada"},
        **more,
    )


def control(sim: SimServer, method: str, path: str, **body: Any) -> Any:
    response = httpx.request(method, f"{sim.url}/_sim{path}", json=body or None)
    assert response.status_code == 200, response.text
    return response.json()


def script(sim: SimServer, number: str, *outcomes: str) -> None:
    control(sim, "POST", "/outbound", script={number: list(outcomes)})


def settle(sim: SimServer) -> None:
    control(sim, "POST", "/dials/settle")


def dials(sim: SimServer, platform: str | None = None) -> list[dict[str, Any]]:
    query = f"?platform={platform}" if platform else ""
    return control(sim, "GET", f"/dials{query}")["dials"]


def deliveries(sim: SimServer, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    """The webhook deliveries once at least `count` of them were made."""
    deadline = time.monotonic() + timeout
    while True:
        found = [d for d in control(sim, "GET", "/dials")["deliveries"] if d["status"] is not None]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def requests_to(sim: SimServer, platform: str, method: str, path: str) -> list[Any]:
    return [r for r in sim.state.request_log(platform) if r.method == method and r.path == path]
