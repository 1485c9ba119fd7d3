"""GET /api/calls/{callId}/coaching (and /api/v1): local inline and cached; in AI mode a job on a
real RQ worker asks the local OpenAI-compatible server while the client polls; tenancy → 404."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.support.calls import BOOKING, timed_turns
from tests.support.http import bearer
from tests.support.llm_server import drain
from voiceconsole.enqueue import get_queue, scoped
from voiceconsole.models import CreditLedger


def booked_call(factory, org, agent):
    return factory.call(org, agent, transcript_turns=timed_turns(BOOKING), transcript=None, duration_ms=48_000)


@pytest.fixture
def tenant(factory):
    org = factory.org(plan="pro")
    agent = factory.agent(org)
    return org, agent, booked_call(factory, org, agent), factory.api_key(org)


@pytest.mark.parametrize("prefix", ["/api", "/api/v1"])
def test_local_coaching_is_returned_and_cached(api_client, tenant, prefix, llm):
    _org, _agent, call, key = tenant
    r = api_client.get(f"{prefix}/calls/{call.public_id}/coaching", headers=bearer(key))
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["status"] == "ready" and data["callId"] == call.public_id
    assert data["mode"] == "local" and data["version"] == "coach-local-1" and data["summary"]
    assert data["generatedAt"].endswith("Z")
    assert data["wentWell"] and isinstance(data["wentWrong"], list)
    first = data["wentWell"][0]
    assert set(first) == {"kind", "title", "detail", "at", "quote", "speaker", "suggestion"}
    assert first["at"] == 0.5 and first["quote"].startswith("Thanks for calling Bright Smile Dental")
    again = api_client.get(f"{prefix}/calls/{call.public_id}/coaching", headers=bearer(key)).json()["data"]
    assert again == data  # from the cache
    assert llm.count() == 0  # AI mode is off: the LLM is never asked


def test_ai_coaching_is_prepared_by_a_worker_while_the_client_polls(api_client, db, tenant, ai_mode):
    org, _agent, call, key = tenant
    url = f"/api/calls/{call.public_id}/coaching"
    r = api_client.get(url, headers=bearer(key))
    assert r.status_code == 202, r.text
    assert r.json()["data"] == {"status": "pending", "callId": call.public_id}
    assert r.headers["Retry-After"] == "3"
    assert api_client.get(url, headers=bearer(key)).status_code == 202  # polling does not queue again
    assert get_queue("scoring").job_ids.count(scoped(f"coaching-{call.id}")) == 1
    assert ai_mode.count() == 0  # the web process never called the LLM
    drain("scoring")
    r = api_client.get(url, headers=bearer(key))
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["mode"] == "ai" and data["version"] == "coach-ai-1" and data["model"] == "judge-test"
    assert data["wentWrong"][0]["quote"] == "Sure, it's Maria Lopez." and data["wentWrong"][0]["at"] == 16.2
    assert data["wentWrong"][0]["suggestion"].startswith("\u201cThanks, Maria")
    assert ai_mode.count("call_coaching") == 1
    spent = db.exec(
        select(func.count())
        .select_from(CreditLedger)
        .where(CreditLedger.organization_id == org.id, CreditLedger.reason == "ai_coaching")
    ).one()
    assert spent == 1
    assert api_client.get(url, headers=bearer(key)).json()["data"] == data  # cached
    assert ai_mode.count() == 1


def test_failed_ai_coaching_answers_with_local_coaching(api_client, tenant, ai_mode):
    _org, _agent, call, key = tenant
    ai_mode.mode = "malformed"
    url = f"/api/v1/calls/{call.public_id}/coaching"
    assert api_client.get(url, headers=bearer(key)).status_code == 202
    drain("scoring")
    r = api_client.get(url, headers=bearer(key))
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["mode"] == "local" and data["fallback"] == "invalid_json" and data["wentWell"]


def test_calls_without_a_conversation_are_coached_inline_even_in_ai_mode(api_client, factory, ai_mode):
    org = factory.org()
    agent = factory.agent(org)
    call = factory.call(org, agent, transcript_turns=[], transcript=None)
    r = api_client.get(f"/api/calls/{call.public_id}/coaching", headers=bearer(factory.api_key(org)))
    assert r.status_code == 200 and r.json()["data"]["mode"] == "local"
    assert ai_mode.count() == 0


def test_another_organizations_call_is_not_found(api_client, factory, tenant):
    _org, _agent, call, _key = tenant
    other = factory.org()
    other_key = factory.api_key(other)
    for path in (
        f"/api/calls/{call.public_id}/coaching",
        f"/api/v1/calls/{call.public_id}/coaching",
        "/api/calls/cl_doesnotexist/coaching",
    ):
        r = api_client.get(path, headers=bearer(other_key))
        assert r.status_code == 404 and r.json() == {"error": "Call not found"}


def test_client_viewers_see_coaching_of_their_clients_calls_only(api_client, factory):
    org = factory.org()
    acme, globex = factory.client(org), factory.client(org)
    acme_call = booked_call(factory, org, factory.agent(org, client=acme))
    globex_call = booked_call(factory, org, factory.agent(org, client=globex))
    _, token = factory.user_session(org, role="client_viewer", client=acme)
    api_client.cookies.set("cp_session", token)
    assert api_client.get(f"/api/calls/{acme_call.public_id}/coaching").status_code == 200
    assert api_client.get(f"/api/calls/{globex_call.public_id}/coaching").status_code == 404


def test_coaching_needs_authentication(api_client, tenant):
    _org, _agent, call, _key = tenant
    assert api_client.get(f"/api/calls/{call.public_id}/coaching").status_code == 401
