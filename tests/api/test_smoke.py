from tests.support.http import bearer


def test_list_calls_smoke(api_client, factory):
    org = factory.org()
    agent = factory.agent(org)
    call = factory.call(org, agent)
    key = factory.api_key(org)
    r = api_client.get("/api/calls", headers=bearer(key))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["meta"] == {"page": 1, "perPage": 20, "total": 1, "totalIsEstimate": False}
    assert body["data"][0]["id"] == call.public_id
