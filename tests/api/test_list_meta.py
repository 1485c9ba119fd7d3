"""Every list answers `meta: {page, perPage, total}` (DESIGN.md §5; the published envelope): calls, agents,
clients, notification channels, a channel's deliveries, API keys and integrations, paged as asked, under both prefixes.

Totals are the rows the test inserted; pages are slices of the whole list in its own order.
"""

from __future__ import annotations

import pytest

from tests.support.http import bearer

CHANNELS = "/api/v1/notification-channels"


@pytest.fixture
def tenant(api_client, factory):
    org = factory.org()
    clients = [factory.client(org, name) for name in ("Globex", "acme", "Initech")]
    agents = [factory.agent(org, client=clients[i % 3], name=f"Agent {i}") for i in range(5)]
    calls = [factory.call(org, agents[i % 5]) for i in range(7)]
    keys = [factory.api_key(org) for _ in range(3)]
    integrations = [factory.integration(org, platform=p) for p in ("retell", "vapi", "elevenlabs")]
    h = bearer(keys[0])
    channel_ids = []
    for n in range(3):
        r = api_client.post(
            CHANNELS, json={"kind": "email", "email": f"ops{n}@example.com", "events": ["call.low_score"]}, headers=h
        )
        assert r.status_code == 201, r.text
        channel_ids.append(r.json()["data"]["id"])
    # Another organization's rows never count.
    other = factory.org()
    factory.client(other)
    factory.call(other, factory.agent(other))
    factory.api_key(other)
    factory.integration(other)
    totals = {
        "/calls": len(calls),
        "/agents": len(agents),
        "/clients": len(clients),
        "/notification-channels": len(channel_ids),
        f"/notification-channels/{channel_ids[0]}/deliveries": 0,  # nothing was sent
        "/api-keys": len(keys),
        "/integrations": len(integrations),
    }
    return dict(h=h, totals=totals, clients=clients)


def _get(api_client, path, h, **params):
    r = api_client.get(path, params=params, headers=h)
    assert r.status_code == 200, (path, r.text)
    return r.json()


def test_every_list_carries_page_per_page_and_total(api_client, tenant):
    h = tenant["h"]
    for path, total in tenant["totals"].items():
        for prefix in ("/api", "/api/v1"):
            default = _get(api_client, prefix + path, h)
            assert default["meta"].items() >= {"page": 1, "perPage": 20, "total": total}.items(), path
            assert len(default["data"]) == min(20, total)
        whole = [item["id"] for item in _get(api_client, "/api/v1" + path, h, perPage=100)["data"]]
        assert len(whole) == total
        second = _get(api_client, "/api/v1" + path, h, page=2, perPage=2)
        assert second["meta"].items() >= {"page": 2, "perPage": 2, "total": total}.items(), path
        assert [item["id"] for item in second["data"]] == whole[2:4], path
        beyond = _get(api_client, "/api/v1" + path, h, page=50, perPage=2)
        assert beyond["data"] == [] and beyond["meta"]["total"] == total and beyond["meta"]["page"] == 50


def test_clients_keep_their_order_by_name_across_pages(api_client, tenant):
    names = sorted((c.name for c in tenant["clients"]), key=str.lower)
    pages = [_get(api_client, "/api/v1/clients", tenant["h"], page=p, perPage=1)["data"] for p in (1, 2, 3)]
    assert [page[0]["name"] for page in pages] == names


@pytest.mark.parametrize(
    "params,field", [({"perPage": 0}, "perPage"), ({"perPage": 101}, "perPage"), ({"page": 0}, "page")]
)
def test_bad_paging_is_422_naming_the_field(api_client, tenant, params, field):
    for path in tenant["totals"]:
        r = api_client.get("/api/v1" + path, params=params, headers=tenant["h"])
        assert r.status_code == 422, (path, r.text)
        body = r.json()
        assert body["error"] == "Validation failed" and field in [d["field"] for d in body["details"]], path
