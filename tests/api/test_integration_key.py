"""Re-entering an integration's API key (`PATCH /api/v1/integrations/{id}` with `apiKey`), against the
platform simulator served over real HTTP: a key the platform accepts replaces the old one (status active,
agents and calls kept, a sync queued, Retell webhooks signed with the new key); a key it refuses, a
platform that cannot be asked (503), bad input, another role or organization, a disconnected integration or
an account connected twice change nothing. The key never shows up in a response, log line, job or audit
entry, and no database connection is held while the platform answers.
"""

from __future__ import annotations

import logging
import socket

import pytest
from sqlmodel import select

from tests.support.http import bearer
from tests.support.simulator import IntegrationSim, run_jobs

pytestmark = pytest.mark.usefixtures("integration_settings", "no_jobs_left_behind")

PLATFORMS = ("retell", "vapi", "elevenlabs")
# What each platform accepts once its key was rotated in its dashboard (the simulator's keys before that:
# sim_<platform>_key).
NEW_KEYS = {p: f"sim_{p}_key_rotated_N3W{i}" for i, p in enumerate(PLATFORMS)}


@pytest.fixture(scope="module")
def simulator():
    """One small simulator for this module (tests/services/conftest.py has the suite's larger one)."""
    from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
    from voiceconsole.platforms.simulator.state import SimulatorState

    state = SimulatorState(seed=23, agents_per_platform=3, calls_per_platform=12, days=5)
    base_url, stop = serve_in_thread(create_app(state))
    yield state, base_url
    stop()


@pytest.fixture
def sim(simulator):
    from voiceconsole.platforms.simulator.state import DEFAULT_API_KEYS

    state, base_url = simulator
    state.reset()
    with state.lock:
        state.api_keys.update(DEFAULT_API_KEYS)
    yield IntegrationSim(state, base_url)
    with state.lock:
        state.api_keys.update(DEFAULT_API_KEYS)  # undo a rotation


@pytest.fixture
def owner(factory):
    org = factory.org()
    return org, bearer(factory.api_key(org))


def rotate(sim: IntegrationSim, platform: str) -> str:
    """The platform now accepts only a new key: the old one was revoked (rotated in its dashboard)."""
    with sim.state.lock:
        sim.state.api_keys[platform] = NEW_KEYS[platform]
    return NEW_KEYS[platform]


def closed_port_url(platform: str) -> str:
    """A local URL nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/{platform}"


def connect(api_client, headers, sim: IntegrationSim, platform: str, **body) -> dict:
    payload = {"platform": platform, "apiKey": sim.key(platform), "baseUrl": sim.url(platform), **body}
    r = api_client.post("/api/v1/integrations", json=payload, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()["data"]


def patch_key(api_client, headers, integration_id: str, api_key, **body):
    return api_client.patch(f"/api/v1/integrations/{integration_id}", json={"apiKey": api_key, **body}, headers=headers)


def row(db, integration_id: str):
    from voiceconsole.models import Integration

    db.expire_all()
    return db.exec(select(Integration).where(Integration.public_id == integration_id)).one()


def stored_key(db, integration_id: str) -> str:
    from voiceconsole.services.security import decrypt

    return decrypt(row(db, integration_id).api_key_encrypted)


def synced(db, org) -> tuple[set[str], set[str]]:
    """The platform ids of the organization's agents and calls."""
    from voiceconsole.models import Agent, Call

    db.expire_all()
    agents = db.exec(select(Agent.platform_agent_id).where(Agent.organization_id == org.id)).all()
    calls = db.exec(select(Call.platform_call_id).where(Call.organization_id == org.id)).all()
    db.rollback()  # hold no connection while the API works
    return set(agents), set(calls)


def key_audits(db, org) -> list:
    from voiceconsole.models import AuditLog

    db.expire_all()
    audits = db.exec(
        select(AuditLog).where(AuditLog.organization_id == org.id, AuditLog.action == "integration.key_changed")
    ).all()
    db.rollback()
    return list(audits)


def key_checks(sim: IntegrationSim, platform: str) -> int:
    """How many times the platform was asked anything (the key check is one request)."""
    return len(sim.requests(platform))


def synced_tenant(api_client, owner, sim, db, platform: str):
    """A connected integration with its agents and calls synced, whose key the platform then revoked: the
    stale connection of the public docs' troubleshooting (status error, the platform's refusal shown)."""
    from voiceconsole.services.intake.sync import sync_integration

    org, headers = owner
    data = connect(api_client, headers, sim, platform)
    run_jobs("sync")
    agents, calls = synced(db, org)
    assert agents and calls
    rotate(sim, platform)
    assert sync_integration(row(db, data["id"]).id).status == "error"
    shown = api_client.get(f"/api/v1/integrations/{data['id']}", headers=headers).json()["data"]
    assert shown["status"] == "error" and "rejected the API key" in shown["lastError"]
    db.rollback()
    return org, headers, data, agents, calls


# --- accepted -------------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_key_the_platform_accepts_replaces_the_old_one_and_keeps_everything(
    platform, api_client, owner, sim, db, sync_queue
):
    from voiceconsole import enqueue

    org, headers, data, agents, calls = synced_tenant(api_client, owner, sim, db, platform)
    sync_queue.empty()
    new_key = NEW_KEYS[platform]
    asked = key_checks(sim, platform)

    r = patch_key(api_client, headers, data["id"], f"  {new_key} ")  # surrounding spaces are trimmed
    assert r.status_code == 200, r.text
    assert new_key not in r.text
    shown = r.json()["data"]
    assert shown["apiKeyLast4"] == new_key[-4:] != data["apiKeyLast4"]
    assert shown["status"] == "active" and shown["lastError"] is None
    assert shown["label"] == data["label"] and shown["webhookSecret"] == data["webhookSecret"]  # nothing else
    assert key_checks(sim, platform) == asked + 1  # asked once, before storing
    assert stored_key(db, data["id"]) == new_key
    assert synced(db, org) == (agents, calls)  # every agent and call kept
    # A sync with the new key, through the sync policy (this minute's slot went to the sync that ran with
    # the old key: the next minute's, which runs at once).
    (job,) = sync_queue.jobs
    assert job.id.startswith(enqueue.scoped(f"sync-{row(db, data['id']).id}-")) and job.func_name == enqueue.SYNC
    (audit,) = key_audits(db, org)
    assert audit.target_id == data["id"] and audit.actor.startswith("api_key:")
    assert audit.details == {
        "platform": platform,
        "apiKeyLast4": new_key[-4:],
        "previousApiKeyLast4": data["apiKeyLast4"],
    }

    run_jobs("sync")  # the queued sync works with the new key, and stores nothing twice
    after = api_client.get(f"/api/v1/integrations/{data['id']}", headers=headers).json()["data"]
    assert after["status"] == "active" and after["lastError"] is None
    assert after["lastGoodSyncAt"] and after["lastGoodSyncAt"] == after["lastSyncAt"]
    assert after["agentCount"] == len(agents)
    assert synced(db, org) == (agents, calls)


def test_a_label_changes_with_the_key_or_not_at_all(api_client, owner, sim, db, sync_queue):
    _org, headers = owner
    data = connect(api_client, headers, sim, "vapi", label="Vapi main")
    refused = patch_key(api_client, headers, data["id"], "not_the_key_1234", label="Renamed")
    assert refused.status_code == 422 and refused.json()["details"][0]["field"] == "apiKey"
    assert row(db, data["id"]).label == "Vapi main"

    new_key = rotate(sim, "vapi")
    r = patch_key(api_client, headers, data["id"], new_key, label="Renamed", webhookSecret="whsec_from_vapi")
    assert r.status_code == 200, r.text
    shown = r.json()["data"]
    assert (shown["label"], shown["webhookSecret"], shown["apiKeyLast4"]) == ("Renamed", "whsec_from_vapi", "N3W1")


def test_the_current_key_may_be_entered_again(api_client, owner, sim, db, sync_queue):
    """The platform restored a key it had refused: entering it again clears the error."""
    _org, headers = owner
    data = connect(api_client, headers, sim, "retell")
    sim.state.invalidate_key("retell")
    run_jobs("sync")
    assert row(db, data["id"]).status == "error"
    sim.state.restore_key("retell")
    r = patch_key(api_client, headers, data["id"], sim.key("retell"))
    assert r.status_code == 200, r.text
    assert r.json()["data"]["status"] == "active" and r.json()["data"]["lastError"] is None


# --- refused, unreachable: nothing changes --------------------------------------------------------


def snapshot(db, integration_id: str) -> tuple:
    """What a key change would change: the key, its last 4, status, last error, label."""
    current = row(db, integration_id)
    shown = (stored_key(db, integration_id), current.api_key_last4, current.status, current.last_error, current.label)
    db.rollback()
    return shown


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_key_the_platform_refuses_changes_nothing(platform, api_client, owner, sim, db, sync_queue):
    org, headers, data, agents, calls = synced_tenant(api_client, owner, sim, db, platform)
    before = snapshot(db, data["id"])
    assert before[0] == sim.key(platform) and before[2] == "error"
    sync_queue.empty()
    asked = key_checks(sim, platform)

    r = patch_key(api_client, headers, data["id"], "sk_typo_0000")
    assert r.status_code == 422, r.text
    body = r.json()
    assert "nothing was changed" in body["error"]
    (detail,) = body["details"]
    assert detail["field"] == "apiKey"
    name = {"retell": "Retell", "vapi": "Vapi", "elevenlabs": "ElevenLabs"}[platform]
    assert detail["message"].startswith(f"{name} rejected this API key (HTTP 401)")
    assert f"create a new key in the {name} dashboard" in detail["message"]
    assert key_checks(sim, platform) == asked + 1
    assert snapshot(db, data["id"]) == before
    assert sync_queue.count == 0 and key_audits(db, org) == []
    assert synced(db, org) == (agents, calls)


def unreachable(db, integration_id: str, platform: str) -> None:
    """The platform cannot be reached any more (connecting asked it: it answered then)."""
    current = row(db, integration_id)
    current.base_url = closed_port_url(platform)
    db.add(current)
    db.commit()


@pytest.mark.parametrize("platform", ["retell", "elevenlabs"])
def test_a_platform_that_cannot_be_reached_changes_nothing(platform, api_client, owner, sim, db, sync_queue):
    org, headers = owner
    data = connect(api_client, headers, sim, platform)
    unreachable(db, data["id"], platform)
    before = snapshot(db, data["id"])
    sync_queue.empty()

    r = patch_key(api_client, headers, data["id"], NEW_KEYS[platform])
    assert r.status_code == 503, r.text  # as for any unavailable dependency: try again later
    assert int(r.headers["Retry-After"]) > 0
    body = r.json()
    assert "could not be reached" in body["error"] and "nothing was changed" in body["error"]
    assert body["details"][0]["field"] == "platform" and "Could not reach" in body["details"][0]["message"]
    assert NEW_KEYS[platform] not in r.text
    assert snapshot(db, data["id"]) == before
    assert sync_queue.count == 0 and key_audits(db, org) == []


def test_a_failing_platform_changes_nothing(api_client, owner, sim, db, sync_queue):
    """The platform answers 503 to the check and to its retry: 503, the old key kept."""
    org, headers = owner
    data = connect(api_client, headers, sim, "vapi")
    before = snapshot(db, data["id"])
    sync_queue.empty()
    new_key = rotate(sim, "vapi")
    sim.state.fail_next("vapi", count=5, status=503)

    r = patch_key(api_client, headers, data["id"], new_key)
    assert r.status_code == 503 and r.headers["Retry-After"], r.text
    assert "HTTP 503" in r.json()["details"][0]["message"]
    assert snapshot(db, data["id"]) == before
    assert sync_queue.count == 0 and key_audits(db, org) == []


# --- refused before the platform is asked -------------------------------------------------------


@pytest.mark.parametrize(
    "api_key",
    ["", "   ", "has space", "tab\tinside", "x" * 501, "k\u00e9y_with_accent", "ctrl\x01char"],
    ids=["empty", "spaces", "space-inside", "tab", "too-long", "not-ascii", "control"],
)
def test_bad_input_is_422_naming_apikey_and_asks_nothing(api_key, api_client, owner, sim, db, sync_queue):
    _org, headers = owner
    data = connect(api_client, headers, sim, "retell")
    asked = key_checks(sim, "retell")
    r = patch_key(api_client, headers, data["id"], api_key)
    assert r.status_code == 422, r.text
    assert [d["field"] for d in r.json()["details"]] == ["apiKey"]
    assert key_checks(sim, "retell") == asked
    assert stored_key(db, data["id"]) == sim.key("retell")


def test_members_are_refused_and_other_organizations_see_nothing(api_client, factory, owner, sim, db, sync_queue):
    org, headers = owner
    data = connect(api_client, headers, sim, "retell")
    new_key = rotate(sim, "retell")
    asked = key_checks(sim, "retell")
    member = bearer(factory.api_key(org, role="member"))
    r = patch_key(api_client, member, data["id"], new_key)
    assert r.status_code == 403, r.text
    other = bearer(factory.api_key(factory.org()))
    r = patch_key(api_client, other, data["id"], new_key)
    assert r.status_code == 404, r.text
    assert patch_key(api_client, headers, "int_doesnotexist", new_key).status_code == 404
    assert key_checks(sim, "retell") == asked  # none of them reached the platform
    assert stored_key(db, data["id"]) == sim.key("retell") != new_key
    assert key_audits(db, org) == []


def test_admins_may_change_the_key(api_client, factory, owner, sim, db, sync_queue):
    org, headers = owner
    data = connect(api_client, headers, sim, "elevenlabs")
    admin = bearer(factory.api_key(org, role="admin"))
    r = patch_key(api_client, admin, data["id"], rotate(sim, "elevenlabs"))
    assert r.status_code == 200, r.text
    assert stored_key(db, data["id"]) == NEW_KEYS["elevenlabs"]


def test_a_disconnected_integration_or_a_key_connected_twice_is_409(api_client, owner, sim, db, sync_queue):
    org, headers = owner
    first = connect(api_client, headers, sim, "retell", label="First")
    first_key = sim.key("retell")
    with sim.state.lock:  # another account's key (the simulator knows one key per platform)
        sim.state.api_keys["retell"] = "another_retell_key_7777"
    second = connect(api_client, headers, sim, "retell", apiKey="another_retell_key_7777", label="Second")
    with sim.state.lock:
        sim.state.api_keys["retell"] = first_key
    asked = key_checks(sim, "retell")

    r = patch_key(api_client, headers, second["id"], sim.key("retell"))  # the first one's key
    assert r.status_code == 409 and "already connected as “First”" in r.json()["error"], r.text
    assert stored_key(db, second["id"]) == "another_retell_key_7777"

    assert api_client.delete(f"/api/v1/integrations/{first['id']}", headers=headers).status_code == 200
    r = patch_key(api_client, headers, first["id"], NEW_KEYS["retell"])
    assert r.status_code == 409 and "disconnected" in r.json()["error"], r.text
    assert key_checks(sim, "retell") == asked  # refused before the platform is asked
    assert key_audits(db, org) == []

    # Once the first is disconnected, its key is free to be used by the second.
    r = patch_key(api_client, headers, second["id"], sim.key("retell"))
    assert r.status_code == 200, r.text
    assert stored_key(db, second["id"]) == sim.key("retell")


def test_a_null_key_changes_only_what_else_was_sent(api_client, owner, sim, db, sync_queue):
    _org, headers = owner
    data = connect(api_client, headers, sim, "retell")
    asked = key_checks(sim, "retell")
    r = patch_key(api_client, headers, data["id"], None, label="Renamed")
    assert r.status_code == 200 and r.json()["data"]["label"] == "Renamed"
    assert key_checks(sim, "retell") == asked and stored_key(db, data["id"]) == sim.key("retell")


# --- webhooks, secrets, resources -----------------------------------------------------------------


def test_retell_webhooks_must_be_signed_with_the_new_key(api_client, owner, sim, db, sync_queue):
    from voiceconsole.platforms.simulator.webhooks import build_webhook, sign_webhook

    _org, headers = owner
    data = connect(api_client, headers, sim, "retell")
    old_key = sim.key("retell")
    url = f"/api/integrations/retell/webhook/{data['id']}"
    (before,) = sim.state.add_calls("retell", 1)
    hook_headers, body = build_webhook("retell", "call_analyzed", before, secret=old_key)
    assert api_client.post(url, content=body, headers=hook_headers).status_code == 200  # the old key, for now

    new_key = rotate(sim, "retell")
    assert patch_key(api_client, headers, data["id"], new_key).status_code == 200
    (call,) = sim.state.add_calls("retell", 1)
    hook_headers, body = build_webhook("retell", "call_analyzed", call, secret=old_key)
    refused = api_client.post(url, content=body, headers=hook_headers)
    assert refused.status_code == 401, refused.text
    assert refused.json()["details"][0]["field"] == "signature"

    accepted = api_client.post(url, content=body, headers=sign_webhook("retell", body, secret=new_key))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["data"]["stored"] is True and accepted.json()["data"]["new"] is True


def test_vapi_keeps_its_webhook_secret(api_client, owner, sim, db, sync_queue):
    """Only Retell signs with the API key: the other platforms' webhook secret stays as it was."""
    from voiceconsole.platforms.simulator.webhooks import build_webhook

    _org, headers = owner
    data = connect(api_client, headers, sim, "vapi")
    r = patch_key(api_client, headers, data["id"], rotate(sim, "vapi"))
    assert r.status_code == 200 and r.json()["data"]["webhookSecret"] == data["webhookSecret"]
    (call,) = sim.state.add_calls("vapi", 1)
    hook_headers, body = build_webhook("vapi", "end-of-call-report", call, secret=data["webhookSecret"])
    hooked = api_client.post(f"/api/integrations/vapi/webhook/{data['id']}", content=body, headers=hook_headers)
    assert hooked.status_code == 200, hooked.text


def test_no_database_connection_is_held_while_the_platform_answers(api_client, owner, sim, db, sync_queue, monkeypatch):
    from voiceconsole.db import get_engine
    from voiceconsole.platforms.retell import RetellConnector

    _org, headers = owner
    data = connect(api_client, headers, sim, "retell")
    pool = get_engine().pool
    seen: list[int] = []
    check_key = RetellConnector.check_key

    def watched(connector):
        seen.append(pool.checkedout())  # type: ignore[attr-defined]
        return check_key(connector)

    monkeypatch.setattr(RetellConnector, "check_key", watched)
    db.rollback()  # this test's own session holds nothing either
    assert patch_key(api_client, headers, data["id"], rotate(sim, "retell")).status_code == 200
    assert seen == [0]


def test_the_keys_are_in_no_response_log_line_job_or_audit_entry(api_client, owner, sim, db, caplog, sync_queue):
    from voiceconsole.models import AuditLog

    org, headers = owner
    caplog.set_level(logging.DEBUG)
    data = connect(api_client, headers, sim, "retell")
    old_key, new_key = sim.key("retell"), rotate(sim, "retell")
    sync_queue.empty()
    texts = [patch_key(api_client, headers, data["id"], "refused_key_0001").text]
    texts.append(patch_key(api_client, headers, data["id"], new_key).text)
    run_jobs("sync")
    texts.append(api_client.get(f"/api/v1/integrations/{data['id']}", headers=headers).text)
    jobs = [repr(job.args) + repr(job.kwargs) for job in sync_queue.jobs]
    db.expire_all()
    audits = [repr(a.details) for a in db.exec(select(AuditLog).where(AuditLog.organization_id == org.id))]
    for key in (old_key, new_key, "refused_key_0001"):
        assert key not in caplog.text
        assert all(key not in text for text in texts + jobs + audits)
    assert new_key not in row(db, data["id"]).api_key_encrypted


def test_the_sync_with_the_new_key_goes_through_the_sync_policy(sync_queue):
    """This minute's sync slot if it is free; else (a sync ran this minute, perhaps refused with the old key)
    the next minute's, which runs at once; nothing more while that one waits."""
    from voiceconsole import enqueue
    from voiceconsole.services.integrations.key_change import sync_with_new_key

    integration_id, now = 987_654_321, 1_800_000_000.0
    bucket = int(now // enqueue.SYNC_BUCKET_S)
    assert sync_with_new_key(integration_id, now=now) is True
    assert sync_with_new_key(integration_id, now=now) is True  # this minute's is taken: the next one's
    assert sync_with_new_key(integration_id, now=now) is False  # both waiting: either will use the new key
    assert sorted(job.id for job in sync_queue.jobs) == [
        enqueue.scoped(f"sync-{integration_id}-{bucket}"),
        enqueue.scoped(f"sync-{integration_id}-{bucket + 1}"),
    ]
