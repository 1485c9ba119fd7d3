"""Fault injection and data changes over time, through the /_sim control API and real platform calls."""

from __future__ import annotations

import httpx
import pytest
import retell

from voiceconsole.platforms import elevenlabs, vapi
from voiceconsole.platforms import retell as retell_mapper

HEADERS = {
    "retell": lambda key: {"Authorization": f"Bearer {key}"},
    "vapi": lambda key: {"Authorization": f"Bearer {key}"},
    "elevenlabs": lambda key: {"xi-api-key": key},
}
MAPPERS = {"retell": retell_mapper, "vapi": vapi, "elevenlabs": elevenlabs}


def api(sim, platform: str, method: str, path: str, **kwargs) -> httpx.Response:
    return httpx.request(
        method, f"{sim.base(platform)}{path}", headers=HEADERS[platform](sim.key(platform)), timeout=30, **kwargs
    )


def control(sim, method: str, path: str, **kwargs) -> httpx.Response:
    return httpx.request(method, f"{sim.url}/_sim{path}", timeout=30, **kwargs)


def newest(sim, platform: str) -> list[dict]:
    """Newest-first list page of each platform, in its native list shape."""
    if platform == "retell":
        return api(sim, platform, "POST", "/v3/list-calls", json={"limit": 1000}).json()["items"]
    if platform == "vapi":
        return api(sim, platform, "GET", "/call", params={"limit": 1000}).json()
    return api(sim, platform, "GET", "/v1/convai/conversations", params={"page_size": 100}).json()["conversations"]


def incremental(sim, platform: str, since: dict) -> list[str]:
    """Ids of calls newer than `since`, asked the way an incremental sync asks."""
    if platform == "retell":
        body = {
            "limit": 1000,
            "filter_criteria": {"start_timestamp": {"op": "gt", "type": "number", "value": since["start_timestamp"]}},
        }
        return [c["call_id"] for c in api(sim, platform, "POST", "/v3/list-calls", json=body).json()["items"]]
    if platform == "vapi":
        page = api(sim, platform, "GET", "/call", params={"createdAtGt": since["createdAt"]}).json()
        return [c["id"] for c in page]
    page = api(
        sim,
        platform,
        "GET",
        "/v1/convai/conversations",
        params={"call_start_after_unix": since["start_time_unix_secs"]},
    ).json()
    return [c["conversation_id"] for c in page["conversations"]]


ID_KEY = {"retell": "call_id", "vapi": "id", "elevenlabs": "conversation_id"}


@pytest.mark.parametrize("platform", ["retell", "vapi", "elevenlabs"])
def test_added_calls_are_found_by_an_incremental_query(fresh_sim, platform):
    latest = newest(fresh_sim, platform)[0]
    response = control(fresh_sim, "POST", "/calls", json={"platform": platform, "count": 3})
    assert response.status_code == 200
    added = response.json()["calls"]
    assert len(added) == 3
    assert sorted(incremental(fresh_sim, platform, latest)) == sorted(c[ID_KEY[platform]] for c in added)
    for call in added:
        record = MAPPERS[platform].map_call(call)
        assert record.status in ("ended", "error") and record.started_at


def test_added_calls_for_one_agent(fresh_sim):
    agent_id = next(iter(fresh_sim.state.data("vapi").agents))
    added = control(fresh_sim, "POST", "/calls", json={"platform": "vapi", "count": 4, "agentId": agent_id}).json()
    assert {c["assistantId"] for c in added["calls"]} == {agent_id}
    assert control(fresh_sim, "POST", "/calls", json={"platform": "vapi", "agentId": "nope"}).status_code == 404


def test_cursor_survives_calls_added_while_paging(fresh_sim):
    sdk = retell.Retell(api_key=fresh_sim.key("retell"), base_url=fresh_sim.base("retell"))
    before = {c["call_id"] for c in newest(fresh_sim, "retell")}
    page = sdk.call.list(limit=50)
    seen = [i.call_id for i in page.items]
    fresh_sim.state.add_calls("retell", 5)
    while page.has_more:
        page = sdk.call.list(limit=50, pagination_key=page.pagination_key)
        seen += [i.call_id for i in page.items]
    assert len(seen) == len(set(seen)) and set(seen) == before


def test_rate_limit_fault_with_path_prefix(fresh_sim):
    fault = control(
        fresh_sim,
        "POST",
        "/faults",
        json={"platform": "retell", "count": 2, "status": 429, "retryAfter": 3, "pathPrefix": "/v2/get-call"},
    )
    assert fault.status_code == 200
    assert api(fresh_sim, "retell", "POST", "/v3/list-calls", json={"limit": 1}).status_code == 200
    call_id = newest(fresh_sim, "retell")[0]["call_id"]
    for _ in range(2):
        limited = api(fresh_sim, "retell", "GET", f"/v2/get-call/{call_id}")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "3"
        assert limited.json()["status"] == "error"
    assert api(fresh_sim, "retell", "GET", f"/v2/get-call/{call_id}").status_code == 200


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors(fresh_sim, status):
    control(fresh_sim, "POST", "/faults", json={"platform": "vapi", "status": status})
    failed = api(fresh_sim, "vapi", "GET", "/assistant")
    assert failed.status_code == status
    if status == 502:
        assert failed.headers["content-type"].startswith("text/html")
    else:
        assert failed.json()["statusCode"] == status
    assert "retry-after" not in failed.headers
    assert api(fresh_sim, "vapi", "GET", "/assistant").status_code == 200


def test_faults_are_per_platform_and_clearable(fresh_sim):
    fresh_sim.state.fail_next("elevenlabs", 5, 500)
    assert api(fresh_sim, "vapi", "GET", "/assistant").status_code == 200
    assert control(fresh_sim, "GET", "/state").json()["platforms"]["elevenlabs"]["faults"][0]["remaining"] == 5
    assert control(fresh_sim, "DELETE", "/faults").status_code == 200
    assert api(fresh_sim, "elevenlabs", "GET", "/v1/convai/agents").status_code == 200
    assert control(fresh_sim, "POST", "/faults", json={"platform": "vapi", "status": 418}).status_code == 400


def test_invalid_key(fresh_sim):
    assert control(fresh_sim, "POST", "/keys", json={"platform": "elevenlabs", "valid": False}).status_code == 200
    refused = api(fresh_sim, "elevenlabs", "GET", "/v1/convai/agents")
    assert refused.status_code == 401 and refused.json()["detail"]["status"] == "invalid_api_key"
    assert api(fresh_sim, "retell", "POST", "/v2/list-agents").status_code == 200  # other platforms unaffected
    control(fresh_sim, "POST", "/keys", json={"platform": "elevenlabs", "valid": True})
    assert api(fresh_sim, "elevenlabs", "GET", "/v1/convai/agents").status_code == 200


def test_missing_or_wrong_auth_header(sim):
    assert httpx.get(f"{sim.base('vapi')}/call").status_code == 401
    assert httpx.get(f"{sim.base('vapi')}/call", headers={"Authorization": sim.key("vapi")}).status_code == 401
    # ElevenLabs takes xi-api-key, not Bearer.
    bearer = httpx.get(
        f"{sim.base('elevenlabs')}/v1/convai/agents", headers={"Authorization": f"Bearer {sim.key('elevenlabs')}"}
    )
    assert bearer.status_code == 401
    assert httpx.get(f"{sim.base('retell')}/unknown-path").status_code == 401
    assert api(sim, "retell", "GET", "/unknown-path").status_code == 404


@pytest.mark.parametrize(
    "platform,list_path,get_path",
    [
        ("retell", "/v2/list-agents", "/get-agent/{}"),
        ("vapi", "/assistant", "/assistant/{}"),
        ("elevenlabs", "/v1/convai/agents", "/v1/convai/agents/{}"),
    ],
)
def test_removed_agent_disappears(fresh_sim, platform, list_path, get_path):
    agent_id = next(iter(fresh_sim.state.data(platform).agents))
    assert control(fresh_sim, "DELETE", f"/agents/{platform}/{agent_id}").status_code == 200
    method = "POST" if platform == "retell" else "GET"
    listed = api(fresh_sim, platform, method, list_path).json()
    items = listed["items"] if platform == "retell" else listed if platform == "vapi" else listed["agents"]
    assert agent_id not in {a.get("agent_id") or a.get("id") for a in items}
    assert api(fresh_sim, platform, "GET", get_path.format(agent_id)).status_code == 404
    assert control(fresh_sim, "DELETE", f"/agents/{platform}/{agent_id}").status_code == 404


def test_retell_analysis_arrives_later(fresh_sim):
    call = control(fresh_sim, "POST", "/calls", json={"platform": "retell", "analyzed": False}).json()["calls"][0]
    assert "call_analysis" not in call
    fetched = api(fresh_sim, "retell", "GET", f"/v2/get-call/{call['call_id']}").json()
    assert "call_analysis" not in fetched and fetched["call_status"] in ("ended", "not_connected", "error")
    updated = control(fresh_sim, "POST", "/analysis", json={"platform": "retell", "callId": call["call_id"]})
    assert updated.status_code == 200
    fetched = api(fresh_sim, "retell", "GET", f"/v2/get-call/{call['call_id']}").json()
    assert fetched["call_analysis"]["call_summary"]
    assert retell_mapper.map_call(fetched).summary == fetched["call_analysis"]["call_summary"]


def test_vapi_reanalysis_is_found_by_updated_at(fresh_sim):
    calls = newest(fresh_sim, "vapi")
    latest_update = max(c["updatedAt"] for c in calls)
    target = next(c for c in calls[50:] if c.get("analysis", {}).get("summary"))
    fresh_sim.state.update_analysis("vapi", target["id"])
    changed = api(fresh_sim, "vapi", "GET", "/call", params={"updatedAtGt": latest_update}).json()
    assert [c["id"] for c in changed] == [target["id"]]
    assert changed[0]["analysis"]["summary"].endswith("(re-analysed)")


def test_elevenlabs_processing_then_done(fresh_sim):
    call = fresh_sim.state.add_calls("elevenlabs", analyzed=False)[0]
    fetched = api(fresh_sim, "elevenlabs", "GET", f"/v1/convai/conversations/{call['conversation_id']}").json()
    assert fetched["status"] == "processing" and "analysis" not in fetched
    assert elevenlabs.map_call(fetched).status == "in_progress"
    fresh_sim.state.update_analysis("elevenlabs", call["conversation_id"])
    fetched = api(fresh_sim, "elevenlabs", "GET", f"/v1/convai/conversations/{call['conversation_id']}").json()
    assert fetched["status"] == "done" and fetched["analysis"]["transcript_summary"]


def test_reset_and_request_log(fresh_sim):
    fresh_sim.state.add_calls("retell", 2)
    fresh_sim.state.invalidate_key("retell")
    assert api(fresh_sim, "retell", "POST", "/v3/list-calls").status_code == 401
    log = control(fresh_sim, "GET", "/requests", params={"platform": "retell"}).json()["requests"]
    assert log[-1]["path"] == "/v3/list-calls" and log[-1]["status"] == 401
    assert control(fresh_sim, "POST", "/reset").status_code == 200
    assert api(fresh_sim, "retell", "POST", "/v3/list-calls", json={"include_total": True}).json()["total"] == 400
    assert control(fresh_sim, "GET", "/requests").json()["requests"][-1]["status"] == 200


def test_elevenlabs_audio(sim):
    conversation = next(c for c in newest(sim, "elevenlabs") if c["status"] == "done")
    audio = api(sim, "elevenlabs", "GET", f"/v1/convai/conversations/{conversation['conversation_id']}/audio")
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg" and audio.content


def test_every_listed_and_fetched_call_maps(sim):
    for platform, mapper in MAPPERS.items():
        listed = newest(sim, platform)
        for item in listed:
            record = mapper.map_call(item)
            assert record.platform == platform and record.platform_call_id
        for item in listed[::10]:
            call_id = item[ID_KEY[platform]]
            path = {
                "retell": f"/v2/get-call/{call_id}",
                "vapi": f"/call/{call_id}",
                "elevenlabs": f"/v1/convai/conversations/{call_id}",
            }[platform]
            record = mapper.map_call(api(sim, platform, "GET", path).json())
            assert record.platform_call_id == call_id
            assert record.turns or record.status == "in_progress" or not record.duration_ms
