"""The integrations REST API: connect, list, get, patch, test, sync, disconnect; bad input, tenancy,
roles, and the API key never coming back out (responses, logs, queued jobs). Connecting asks the platform
(the simulator, served over HTTP) whether it accepts the key first: a key it refuses, a platform that
cannot be reached, fails or does not answer in time add nothing. Re-entering the key of a connected
account: test_integration_key.py.
"""

from __future__ import annotations

import logging
import re
import socket
import time
from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from tests.support.http import bearer
from tests.support.simulator import IntegrationSim

# Settings as against the simulator and clean queues (fixtures in tests/conftest.py; autouse in tests/services/intake).
pytestmark = pytest.mark.usefixtures("integration_settings", "no_jobs_left_behind")

PLATFORMS = ("retell", "vapi", "elevenlabs")
NAMES = {"retell": "Retell", "vapi": "Vapi", "elevenlabs": "ElevenLabs"}
# The keys the platforms (the simulator) accept.
KEYS = {"retell": "rk_live_abcdefghijklmnop_WXYZ", "vapi": "vapi-key-1111", "elevenlabs": "xi-key-2222"}
KEY = KEYS["retell"]


@pytest.fixture(scope="module")
def simulator():
    """One small simulator for this module, accepting `KEYS`."""
    from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
    from voiceconsole.platforms.simulator.state import SimulatorState

    state = SimulatorState(seed=5, agents_per_platform=1, calls_per_platform=2, days=2, api_keys=KEYS)
    base_url, stop = serve_in_thread(create_app(state))
    yield state, base_url
    stop()


@pytest.fixture
def sim(simulator):
    state, base_url = simulator
    state.reset()
    with state.lock:
        state.api_keys.update(KEYS)
    yield IntegrationSim(state, base_url)
    with state.lock:
        state.api_keys.update(KEYS)


@pytest.fixture
def owner(factory):
    org = factory.org()
    return org, bearer(factory.api_key(org))


@pytest.fixture
def create(api_client, sim):
    """POST an integration: Retell's accepted key at the simulator unless `body` says otherwise."""

    def create(headers, **body):
        platform = body.get("platform")
        platform = platform if platform in PLATFORMS else "retell"
        payload = {"platform": "retell", "apiKey": KEYS[platform], "label": "Main Retell", "baseUrl": sim.url(platform)}
        payload.update(body)
        return api_client.post("/api/v1/integrations", json=payload, headers=headers)

    return create


def asked(sim: IntegrationSim) -> int:
    """How many requests the platforms got (a key check is one)."""
    return sum(len(sim.requests(p)) for p in PLATFORMS)


def accept(sim: IntegrationSim, platform: str, key: str) -> str:
    """The platform now accepts `key` (the simulator knows one key per platform: here, another account's)."""
    with sim.state.lock:
        sim.state.api_keys[platform] = key
    return key


def stored(db, org) -> tuple[int, list[str], int]:
    """What connecting leaves behind: integrations (disconnected too), their audit entries, queued syncs."""
    from voiceconsole.enqueue import get_queue
    from voiceconsole.models import AuditLog, Integration

    db.expire_all()
    rows = db.exec(select(func.count()).select_from(Integration).where(Integration.organization_id == org.id)).one()
    actions = list(
        db.exec(
            select(AuditLog.action).where(
                AuditLog.organization_id == org.id, col(AuditLog.action).startswith("integration.")
            )
        ).all()
    )
    db.rollback()  # hold no connection while the API works
    return rows, actions, get_queue("sync").count


def closed_port_url(platform: str) -> str:
    """A local URL nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/{platform}"


def test_create_list_get_shows_last4_and_webhook_details_never_the_key(api_client, owner, create, sim, db, sync_queue):
    org, headers = owner
    before = asked(sim)
    r = create(headers)
    assert r.status_code == 201, r.text
    assert KEY not in r.text
    data = r.json()["data"]
    assert r.json()["meta"]["syncQueued"] is True  # the first sync is queued at once
    assert data["id"].startswith("int_") and data["platform"] == "retell" and data["label"] == "Main Retell"
    assert data["apiKeyLast4"] == "WXYZ" and data["status"] == "active"
    assert data["baseUrl"] == sim.url("retell")
    assert data["webhookUrl"] == f"http://testserver/api/integrations/retell/webhook/{data['id']}"
    assert data["webhookSecret"] is None and "API key" in data["webhookNote"]  # Retell signs with the key
    assert data["lastSyncAt"] is None and data["agentCount"] == 0
    assert set(data) >= {"lastGoodSyncAt", "lastError", "createdAt", "disconnectedAt"}
    assert sync_queue.count == 1
    assert asked(sim) == before + 1  # the platform was asked once whether it accepts the key
    assert stored(db, org)[:2] == (1, ["integration.created"])

    listed = api_client.get("/api/v1/integrations", headers=headers)
    assert listed.status_code == 200 and [i["id"] for i in listed.json()["data"]] == [data["id"]]
    one = api_client.get(f"/api/integrations/{data['id']}", headers=headers)  # the /api alias
    assert one.status_code == 200 and one.json()["data"]["id"] == data["id"]
    assert KEY not in listed.text + one.text


def test_vapi_and_elevenlabs_get_a_webhook_secret_elevenlabs_may_bring_its_own(api_client, owner, create, sync_queue):
    _, headers = owner
    vapi = create(headers, platform="vapi").json()["data"]
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", vapi["webhookSecret"])
    assert "x-vapi-signature" in vapi["webhookNote"]
    el = create(headers, platform="elevenlabs", webhookSecret="wsec_from_el").json()
    assert el["data"]["webhookSecret"] == "wsec_from_el"
    patched = api_client.patch(
        f"/api/v1/integrations/{el['data']['id']}",
        headers=headers,
        json={"webhookSecret": "wsec_rotated", "label": "EL main"},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"]["webhookSecret"] == "wsec_rotated" and patched.json()["data"]["label"] == "EL main"


# --- the platform refuses the key, or cannot be asked: nothing is added ----------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_key_the_platform_refuses_adds_nothing(platform, api_client, owner, create, sim, db, caplog, sync_queue):
    org, headers = owner
    caplog.set_level(logging.DEBUG)
    before = len(sim.requests(platform))
    refused = f"{platform}_typo_key_0000"
    r = create(headers, platform=platform, apiKey=refused, label="Typo")
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == f"{NAMES[platform]} rejected this API key; the integration was not added"
    (detail,) = body["details"]
    assert detail["field"] == "apiKey"
    assert detail["message"].startswith(f"{NAMES[platform]} rejected this API key (HTTP 401)")
    assert f"create a new key in the {NAMES[platform]} dashboard" in detail["message"]
    assert len(sim.requests(platform)) == before + 1  # asked once
    assert stored(db, org) == (0, [], 0)  # no integration, no audit entry, no sync
    assert api_client.get("/api/v1/integrations?includeDisconnected=true", headers=headers).json()["data"] == []
    assert refused not in r.text and refused not in caplog.text


@pytest.mark.parametrize("platform", ["retell", "vapi"])
def test_a_platform_that_cannot_be_reached_adds_nothing(platform, owner, create, db, sync_queue):
    org, headers = owner
    r = create(headers, platform=platform, baseUrl=closed_port_url(platform))
    assert r.status_code == 503, r.text  # as for any unavailable dependency: try again later
    assert int(r.headers["Retry-After"]) > 0
    body = r.json()
    assert body["error"] == (
        f"{NAMES[platform]} could not be reached to check the API key; the integration was not added. "
        "Try again shortly."
    )
    assert body["details"][0]["field"] == "platform" and "Could not reach" in body["details"][0]["message"]
    assert KEYS[platform] not in r.text
    assert stored(db, org) == (0, [], 0)


def test_a_failing_platform_adds_nothing(owner, create, sim, db, sync_queue):
    """The platform answers 503 to the check and to its one retry."""
    org, headers = owner
    sim.state.fail_next("elevenlabs", count=5, status=503)
    r = create(headers, platform="elevenlabs")
    assert r.status_code == 503 and r.headers["Retry-After"], r.text
    assert "HTTP 503" in r.json()["details"][0]["message"]
    assert len(sim.requests("elevenlabs")) == 2  # the check and its one retry
    assert stored(db, org) == (0, [], 0)


def test_a_platform_that_does_not_answer_is_given_up_on_at_the_deadline(owner, create, db, sync_queue, monkeypatch):
    """Connected, the request sent, no answer ever: the check ends at its deadline (5 s; 1 s here)."""
    from voiceconsole.services.integrations import key_check

    assert key_check.KEY_CHECK_DEADLINE_S <= 5
    monkeypatch.setattr(key_check, "KEY_CHECK_DEADLINE_S", 1.0)
    org, headers = owner
    with socket.socket() as silent:  # accepts connections (the kernel does), never reads nor answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        started = time.monotonic()
        r = create(headers, platform="vapi", baseUrl=f"http://127.0.0.1:{silent.getsockname()[1]}/vapi")
        took = time.monotonic() - started
    assert r.status_code == 503 and r.headers["Retry-After"], r.text
    assert r.json()["details"] == [{"field": "platform", "message": "Vapi did not answer within 1 seconds"}]
    assert 1.0 <= took < 3.0
    assert stored(db, org) == (0, [], 0)


def test_no_database_connection_is_held_while_the_platform_answers(owner, create, db, sync_queue, monkeypatch):
    from voiceconsole.db import get_engine
    from voiceconsole.platforms.vapi import VapiConnector

    _org, headers = owner
    pool = get_engine().pool
    seen: list[int] = []
    check_key = VapiConnector.check_key

    def watched(connector):
        seen.append(pool.checkedout())  # type: ignore[attr-defined]
        return check_key(connector)

    monkeypatch.setattr(VapiConnector, "check_key", watched)
    db.rollback()  # this test's own session holds nothing either
    assert create(headers, platform="vapi").status_code == 201
    assert seen == [0]


# --- refused before the platform is asked ---------------------------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({"platform": "bland"}, "platform"),
        ({"platform": ""}, "platform"),
        ({"apiKey": ""}, "apiKey"),
        ({"apiKey": "   "}, "apiKey"),
        ({"apiKey": "has space"}, "apiKey"),
        ({"apiKey": None}, "apiKey"),
        ({"apiKey": "x" * 501}, "apiKey"),
        ({"baseUrl": "ftp://127.0.0.1/retell"}, "baseUrl"),
        ({"baseUrl": "not a url"}, "baseUrl"),
        ({"baseUrl": "http://no-such-host.invalid"}, "baseUrl"),
        ({"label": "x" * 201}, "label"),
        ({"webhookSecret": "not allowed for retell"}, "webhookSecret"),
        ({"apiKey": "k\u00e9y-copied-from-a-document"}, "apiKey"),  # no HTTP header could carry it
    ],
)
def test_bad_input_is_422_with_the_field_and_asks_nothing(api_client, owner, create, sim, db, body, field):
    org, headers = owner
    before = asked(sim)
    r = create(headers, **body)
    assert r.status_code == 422, r.text
    assert field in [d["field"] for d in r.json()["details"]], r.json()
    assert asked(sim) == before
    assert stored(db, org) == (0, [], 0)


def test_missing_fields_and_bad_json(api_client, owner):
    _, headers = owner
    r = api_client.post("/api/v1/integrations", json={"label": "x"}, headers=headers)
    assert r.status_code == 422
    assert {"platform", "apiKey"} <= {d["field"] for d in r.json()["details"]}
    r = api_client.post(
        "/api/v1/integrations", content=b"{nope", headers={**headers, "content-type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "body"


def test_private_base_url_refused_unless_allowed(owner, create, sim, monkeypatch):
    from voiceconsole.settings import get_settings

    _, headers = owner
    monkeypatch.setenv("VOICECONSOLE_ALLOW_PRIVATE_TARGETS", "0")
    get_settings.cache_clear()
    before = asked(sim)
    for url in (sim.url("retell"), "http://localhost/retell", "http://169.254.169.254", "http://10.0.0.5"):
        r = create(headers, baseUrl=url)
        assert r.status_code == 422 and r.json()["details"][0]["field"] == "baseUrl", r.text
        assert "VOICECONSOLE_ALLOW_PRIVATE_TARGETS" in r.json()["details"][0]["message"]
    assert asked(sim) == before


def test_the_same_account_cannot_be_connected_twice(owner, create, sim, sync_queue):
    _, headers = owner
    assert create(headers).status_code == 201
    before = asked(sim)
    again = create(headers, label="Again")
    assert again.status_code == 409 and "already connected" in again.json()["error"]
    assert asked(sim) == before  # refused before the platform is asked
    another = accept(sim, "retell", KEY + "2")
    assert create(headers, apiKey=another).status_code == 201  # another account is fine


def test_other_organizations_get_404(api_client, factory, owner, create, sync_queue):
    _, headers = owner
    integration_id = create(headers).json()["data"]["id"]
    other = factory.org()
    other_headers = bearer(factory.api_key(other))
    assert api_client.get("/api/v1/integrations", headers=other_headers).json()["data"] == []
    for method, path in (("GET", ""), ("PATCH", ""), ("POST", "/test"), ("POST", "/sync"), ("DELETE", "")):
        r = api_client.request(
            method,
            f"/api/v1/integrations/{integration_id}{path}",
            headers=other_headers,
            json={"label": "x"} if method == "PATCH" else None,
        )
        assert r.status_code == 404, (method, path, r.text)
    assert (
        api_client.get(f"/api/v1/integrations/{integration_id}", headers=headers).json()["data"]["label"]
        == "Main Retell"
    )
    assert api_client.get("/api/v1/integrations/int_doesnotexist", headers=headers).status_code == 404
    assert api_client.get("/api/v1/integrations").status_code == 401


def test_members_read_without_secrets_and_cannot_change(api_client, factory, owner, create, sim, sync_queue):
    org, headers = owner
    vapi_id = create(headers, platform="vapi").json()["data"]["id"]
    member = bearer(factory.api_key(org, role="member"))
    listed = api_client.get("/api/v1/integrations", headers=member)
    assert listed.status_code == 200 and listed.json()["data"][0]["webhookSecret"] is None
    before = asked(sim)
    assert create(member, platform="elevenlabs").status_code == 403
    assert asked(sim) == before  # refused before the platform is asked
    assert api_client.delete(f"/api/v1/integrations/{vapi_id}", headers=member).status_code == 403
    # Members run syncs and connection tests (the permissions table: integrations.sync).
    for path in ("/test", "/sync"):
        assert api_client.post(f"/api/v1/integrations/{vapi_id}{path}", headers=member).status_code == 202
    for change in ({"label": "Mine now"}, {"apiKey": "vapi-key-4444"}):
        r = api_client.patch(f"/api/v1/integrations/{vapi_id}", headers=member, json=change)
        assert r.status_code == 403, (change, r.text)


def test_test_and_sync_queue_jobs_and_sync_collapses_within_a_minute(api_client, owner, create, sync_queue):
    from voiceconsole.enqueue import get_queue

    _, headers = owner
    integration_id = create(headers).json()["data"]["id"]  # queues the first sync
    r = api_client.post(f"/api/v1/integrations/{integration_id}/sync", headers=headers)
    assert r.status_code == 202 and r.json()["data"] == {"queued": False, "integrationId": integration_id}
    assert sync_queue.count == 1
    default = get_queue("default")
    before = default.count
    r = api_client.post(f"/api/v1/integrations/{integration_id}/test", headers=headers)
    assert r.status_code == 202 and r.json()["data"]["queued"] is True
    assert default.count == before + 1


def test_disconnect_hides_it_refuses_jobs_and_keeps_the_row(api_client, owner, create, sync_queue):
    _, headers = owner
    integration_id = create(headers).json()["data"]["id"]
    r = api_client.delete(f"/api/v1/integrations/{integration_id}", headers=headers)
    assert r.status_code == 200 and r.json()["data"]["disconnectedAt"] and r.json()["data"]["status"] == "disconnected"
    assert api_client.get("/api/v1/integrations", headers=headers).json()["data"] == []
    shown = api_client.get("/api/v1/integrations?includeDisconnected=true", headers=headers).json()["data"]
    assert [i["id"] for i in shown] == [integration_id]
    assert api_client.post(f"/api/v1/integrations/{integration_id}/sync", headers=headers).status_code == 409
    assert api_client.post(f"/api/v1/integrations/{integration_id}/test", headers=headers).status_code == 409
    assert api_client.delete(f"/api/v1/integrations/{integration_id}", headers=headers).status_code == 200  # idempotent
    assert create(headers).status_code == 201  # the account can be connected again


def test_stale_is_computed_on_read(api_client, owner, create, db, sync_queue):
    from voiceconsole.models import Integration
    from voiceconsole.models.types import utcnow

    _org, headers = owner
    integration_id = create(headers).json()["data"]["id"]
    row = db.exec(select(Integration).where(Integration.public_id == integration_id)).one()
    row.last_good_sync_at = row.last_sync_at = utcnow() - timedelta(hours=9)  # > 2 × 4 h
    db.add(row)
    db.commit()
    assert api_client.get(f"/api/v1/integrations/{integration_id}", headers=headers).json()["data"]["status"] == "stale"
    row.last_good_sync_at = utcnow() - timedelta(hours=7)
    db.add(row)
    db.commit()
    r = api_client.get(f"/api/v1/integrations/{integration_id}", headers=headers)
    assert r.json()["data"]["status"] == "active"


def test_the_key_is_in_no_log_line_job_or_audit_entry(api_client, owner, create, db, caplog, sync_queue):
    from voiceconsole.models import AuditLog, Integration

    org, headers = owner
    caplog.set_level(logging.DEBUG)
    refused_key = "rk_live_refused_at_connect_MNOP"
    refused = create(headers, apiKey=refused_key, label="Refused")
    assert refused.status_code == 422 and refused_key not in refused.text
    integration_id = create(headers).json()["data"]["id"]
    api_client.post(f"/api/v1/integrations/{integration_id}/test", headers=headers)
    # A re-entered key the platform refuses: not stored, and nowhere to be seen either. Accepted keys, and
    # a platform that cannot be asked: tests/api/test_integration_key.py.
    new_key = "rk_live_reentered_key_QRST"
    patched = api_client.patch(f"/api/v1/integrations/{integration_id}", json={"apiKey": new_key}, headers=headers)
    assert patched.status_code == 422 and new_key not in patched.text
    for job in sync_queue.jobs:
        for key in (KEY, new_key, refused_key):
            assert key not in repr(job.args) + repr(job.kwargs)
    assert KEY not in caplog.text and new_key not in caplog.text and refused_key not in caplog.text
    row = db.exec(select(Integration).where(Integration.public_id == integration_id)).one()
    assert KEY not in row.api_key_encrypted and row.api_key_last4 == "WXYZ"
    audits = db.exec(select(AuditLog).where(AuditLog.organization_id == org.id)).all()
    assert audits and all(
        KEY not in repr(a.details) and new_key not in repr(a.details) and refused_key not in repr(a.details)
        for a in audits
    )
