"""The integrations REST API: connect, list, get, patch, test, sync, disconnect; bad input, tenancy,
roles, and the API key never coming back out (responses, logs, queued jobs).
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest

from tests.support.http import bearer

# Settings as against the simulator and clean queues (fixtures in tests/conftest.py; autouse in tests/services/intake).
pytestmark = pytest.mark.usefixtures("integration_settings", "no_jobs_left_behind")

KEY = "rk_live_abcdefghijklmnop_WXYZ"


@pytest.fixture
def owner(factory):
    org = factory.org()
    return org, bearer(factory.api_key(org))


def _create(api_client, headers, **body):
    payload = {"platform": "retell", "apiKey": KEY, "label": "Main Retell", "baseUrl": "http://127.0.0.1:9/retell"}
    payload.update(body)
    return api_client.post("/api/v1/integrations", json=payload, headers=headers)


def test_create_list_get_shows_last4_and_webhook_details_never_the_key(api_client, owner, sync_queue):
    _org, headers = owner
    r = _create(api_client, headers)
    assert r.status_code == 201, r.text
    assert KEY not in r.text
    data = r.json()["data"]
    assert r.json()["meta"]["syncQueued"] is True  # the first sync is queued at once
    assert data["id"].startswith("int_") and data["platform"] == "retell" and data["label"] == "Main Retell"
    assert data["apiKeyLast4"] == "WXYZ" and data["status"] == "active"
    assert data["baseUrl"] == "http://127.0.0.1:9/retell"
    assert data["webhookUrl"] == f"http://testserver/api/integrations/retell/webhook/{data['id']}"
    assert data["webhookSecret"] is None and "API key" in data["webhookNote"]  # Retell signs with the key
    assert data["lastSyncAt"] is None and data["agentCount"] == 0
    assert set(data) >= {"lastGoodSyncAt", "lastError", "createdAt", "disconnectedAt"}
    assert sync_queue.count == 1

    listed = api_client.get("/api/v1/integrations", headers=headers)
    assert listed.status_code == 200 and [i["id"] for i in listed.json()["data"]] == [data["id"]]
    one = api_client.get(f"/api/integrations/{data['id']}", headers=headers)  # the /api alias
    assert one.status_code == 200 and one.json()["data"]["id"] == data["id"]
    assert KEY not in listed.text + one.text


def test_vapi_and_elevenlabs_get_a_webhook_secret_elevenlabs_may_bring_its_own(api_client, owner, sync_queue):
    _, headers = owner
    vapi = _create(api_client, headers, platform="vapi", apiKey="vapi-key-1111").json()["data"]
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", vapi["webhookSecret"])
    assert "x-vapi-signature" in vapi["webhookNote"]
    el = _create(api_client, headers, platform="elevenlabs", apiKey="xi-key-2222", webhookSecret="wsec_from_el").json()
    assert el["data"]["webhookSecret"] == "wsec_from_el"
    patched = api_client.patch(
        f"/api/v1/integrations/{el['data']['id']}",
        headers=headers,
        json={"webhookSecret": "wsec_rotated", "label": "EL main"},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"]["webhookSecret"] == "wsec_rotated" and patched.json()["data"]["label"] == "EL main"


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
    ],
)
def test_bad_input_is_422_with_the_field(api_client, owner, body, field):
    _org, headers = owner
    r = _create(api_client, headers, **body)
    assert r.status_code == 422, r.text
    assert field in [d["field"] for d in r.json()["details"]], r.json()
    assert api_client.get("/api/v1/integrations", headers=headers).json()["data"] == []


def test_missing_fields_and_bad_json(api_client, owner):
    _, headers = owner
    r = api_client.post("/api/v1/integrations", json={"label": "x"}, headers=headers)
    assert r.status_code == 422
    assert {"platform", "apiKey"} <= {d["field"] for d in r.json()["details"]}
    r = api_client.post(
        "/api/v1/integrations", content=b"{nope", headers={**headers, "content-type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "body"


def test_private_base_url_refused_unless_allowed(api_client, owner, monkeypatch):
    from voiceconsole.settings import get_settings

    _, headers = owner
    monkeypatch.setenv("VOICECONSOLE_ALLOW_PRIVATE_TARGETS", "0")
    get_settings.cache_clear()
    for url in ("http://127.0.0.1:8000/retell", "http://localhost/retell", "http://169.254.169.254", "http://10.0.0.5"):
        r = _create(api_client, headers, baseUrl=url)
        assert r.status_code == 422 and r.json()["details"][0]["field"] == "baseUrl", r.text
        assert "VOICECONSOLE_ALLOW_PRIVATE_TARGETS" in r.json()["details"][0]["message"]


def test_the_same_account_cannot_be_connected_twice(api_client, owner, sync_queue):
    _, headers = owner
    assert _create(api_client, headers).status_code == 201
    again = _create(api_client, headers, label="Again")
    assert again.status_code == 409 and "already connected" in again.json()["error"]
    assert _create(api_client, headers, apiKey=KEY + "2").status_code == 201  # another account is fine


def test_other_organizations_get_404(api_client, factory, owner, sync_queue):
    _, headers = owner
    integration_id = _create(api_client, headers).json()["data"]["id"]
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


def test_members_read_without_secrets_and_cannot_change(api_client, factory, owner, sync_queue):
    org, headers = owner
    vapi_id = _create(api_client, headers, platform="vapi", apiKey="vapi-key-3333").json()["data"]["id"]
    member = bearer(factory.api_key(org, role="member"))
    listed = api_client.get("/api/v1/integrations", headers=member)
    assert listed.status_code == 200 and listed.json()["data"][0]["webhookSecret"] is None
    assert _create(api_client, member, apiKey="another-key").status_code == 403
    for method, path in (("POST", "/test"), ("POST", "/sync"), ("DELETE", "")):
        assert api_client.request(method, f"/api/v1/integrations/{vapi_id}{path}", headers=member).status_code == 403


def test_test_and_sync_queue_jobs_and_sync_collapses_within_a_minute(api_client, owner, sync_queue):
    from voiceconsole.enqueue import get_queue

    _, headers = owner
    integration_id = _create(api_client, headers).json()["data"]["id"]  # queues the first sync
    r = api_client.post(f"/api/v1/integrations/{integration_id}/sync", headers=headers)
    assert r.status_code == 202 and r.json()["data"] == {"queued": False, "integrationId": integration_id}
    assert sync_queue.count == 1
    default = get_queue("default")
    before = default.count
    r = api_client.post(f"/api/v1/integrations/{integration_id}/test", headers=headers)
    assert r.status_code == 202 and r.json()["data"]["queued"] is True
    assert default.count == before + 1


def test_disconnect_hides_it_refuses_jobs_and_keeps_the_row(api_client, owner, sync_queue):
    _, headers = owner
    integration_id = _create(api_client, headers).json()["data"]["id"]
    r = api_client.delete(f"/api/v1/integrations/{integration_id}", headers=headers)
    assert r.status_code == 200 and r.json()["data"]["disconnectedAt"] and r.json()["data"]["status"] == "disconnected"
    assert api_client.get("/api/v1/integrations", headers=headers).json()["data"] == []
    shown = api_client.get("/api/v1/integrations?includeDisconnected=true", headers=headers).json()["data"]
    assert [i["id"] for i in shown] == [integration_id]
    assert api_client.post(f"/api/v1/integrations/{integration_id}/sync", headers=headers).status_code == 409
    assert api_client.post(f"/api/v1/integrations/{integration_id}/test", headers=headers).status_code == 409
    assert api_client.delete(f"/api/v1/integrations/{integration_id}", headers=headers).status_code == 200  # idempotent
    assert _create(api_client, headers).status_code == 201  # the account can be connected again


def test_stale_is_computed_on_read(api_client, owner, db, sync_queue):
    from sqlmodel import select

    from voiceconsole.models import Integration
    from voiceconsole.models.types import utcnow

    _org, headers = owner
    integration_id = _create(api_client, headers).json()["data"]["id"]
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


def test_the_key_is_in_no_log_line_job_or_audit_entry(api_client, owner, db, caplog, sync_queue):
    from sqlmodel import select

    from voiceconsole.models import AuditLog, Integration

    org, headers = owner
    caplog.set_level(logging.DEBUG)
    integration_id = _create(api_client, headers).json()["data"]["id"]
    api_client.post(f"/api/v1/integrations/{integration_id}/test", headers=headers)
    for job in sync_queue.jobs:
        assert KEY not in repr(job.args) + repr(job.kwargs)
    assert KEY not in caplog.text
    row = db.exec(select(Integration).where(Integration.public_id == integration_id)).one()
    assert KEY not in row.api_key_encrypted and row.api_key_last4 == "WXYZ"
    audits = db.exec(select(AuditLog).where(AuditLog.organization_id == org.id)).all()
    assert audits and all(KEY not in repr(a.details) for a in audits)
