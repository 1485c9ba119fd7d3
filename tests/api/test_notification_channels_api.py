"""/api/v1/notification-channels: CRUD, test events, the delivery log, resume, secret rotation;
bad input, roles and tenant isolation on every endpoint."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.support.http import bearer
from tests.support.receivers import (
    deliver_now,
    record,
    verify_hex,
)
from voiceconsole.models import NotificationChannel
from voiceconsole.services.notifications.fanout import fan_out_all

BASE = "/api/v1/notification-channels"


@pytest.fixture
def owner(factory):
    org = factory.org()
    return org, bearer(factory.api_key(org))


def _create(api_client, h, channels, org, **body):
    body.setdefault("events", ["call.low_score"])
    r = api_client.post(BASE, json=body, headers=h)
    assert r.status_code == 201, r.json()
    channels.made.append((org, r.json()["data"]["id"]))
    return r.json()["data"]


def test_create_read_update_rotate_delete(api_client, owner, receiver, channels, notify_settings, factory):
    org, h = owner
    client = factory.client(org, "Bright Smile")
    url = receiver.url("/hooks/zapier/abcdef123456")
    created = _create(
        api_client,
        h,
        channels,
        org,
        kind="webhook",
        url=url,
        name="Zapier",
        events=["call.low_score", "call.completed"],
        clientId=client.public_id,
        summaryHour=7,
    )
    assert created["id"].startswith("nch_") and created["secret"].startswith("whsec_")
    assert created["hasSecret"] is True and created["status"] == "active" and created["summaryHour"] == 7
    assert created["clientId"] == client.public_id and created["clientName"] == "Bright Smile"
    assert "abcdef123456" not in created["target"]  # only a hint of the URL is ever shown
    cid = created["id"]

    listed = api_client.get(BASE, headers=h).json()
    assert [c["id"] for c in listed["data"]] == [cid] and listed["meta"]["total"] == 1
    assert "secret" not in listed["data"][0]
    assert api_client.get("/api/notification-channels", headers=h).json()["data"] == listed["data"]  # alias
    one = api_client.get(f"{BASE}/{cid}", headers=h).json()["data"]
    assert one["name"] == "Zapier" and "secret" not in one

    patched = api_client.patch(f"{BASE}/{cid}", json={"name": "Zapier 2", "events": ["call.new"]}, headers=h)
    assert patched.status_code == 200
    data = patched.json()["data"]
    assert data["name"] == "Zapier 2" and data["events"] == ["call.new"] and data["clientId"] == client.public_id
    cleared = api_client.patch(f"{BASE}/{cid}", json={"clientId": None}, headers=h).json()["data"]
    assert cleared["clientId"] is None

    rotated = api_client.post(f"{BASE}/{cid}/rotate-secret", headers=h)
    assert rotated.status_code == 200
    new = rotated.json()["data"]
    assert new["secret"].startswith("whsec_") and new["secret"] != created["secret"]
    assert new["previousSecretExpiresAt"]

    for kind, extra in (
        ("slack", {"url": receiver.url("/services/T1/B1/x")}),
        ("discord", {"url": receiver.url("/api/webhooks/1/x")}),
        ("email", {"email": "Ops@Example.com"}),
    ):
        made = _create(api_client, h, channels, org, kind=kind, **extra)
        assert made["kind"] == kind and made["secret"] is None and made["hasSecret"] is False
    assert api_client.get(BASE, headers=h).json()["meta"]["total"] == 4

    gone = api_client.delete(f"{BASE}/{cid}", headers=h)
    assert gone.status_code == 200 and gone.json()["data"] == {"id": cid, "deleted": True}
    assert api_client.get(f"{BASE}/{cid}", headers=h).status_code == 404


def test_test_event_delivery_log_and_resume(api_client, owner, receiver, channels, notify_settings, db):
    org, h = owner
    path = "/api-test-hook"
    created = _create(api_client, h, channels, org, kind="webhook", url=receiver.url(path), events=["call.completed"])
    cid = created["id"]
    r = api_client.post(f"/api/notification-channels/{cid}/test", headers=h)  # the alias prefix too
    assert r.status_code == 202
    event_id = r.json()["data"]["eventId"]
    assert event_id.startswith("evt_")
    deliver_now()
    (req,) = receiver.wait_for(path, 1)
    assert req.json()["id"] == event_id and req.json()["data"]["test"] is True
    assert verify_hex(created["secret"], req)

    log = api_client.get(f"{BASE}/{cid}/deliveries", headers=h).json()
    assert log["meta"] == {"page": 1, "perPage": 20, "total": 1}
    (entry,) = log["data"]
    assert entry["eventId"] == event_id and entry["event"] == "call.completed" and entry["status"] == "succeeded"
    attempt = entry["attemptLog"][0]
    assert attempt["statusCode"] == 200 and attempt["succeeded"] is True and attempt["latencyMs"] >= 0
    assert attempt["responseSnippet"] == "ok"
    assert api_client.get(f"{BASE}/{cid}/deliveries?status=failed", headers=h).json()["meta"]["total"] == 0
    assert api_client.get(f"{BASE}/{cid}/deliveries?perPage=1&page=2", headers=h).json()["data"] == []

    # Paused (as the engine pauses it): a test event is refused, resume makes held events due again.
    channel = db.exec(select(NotificationChannel).where(NotificationChannel.public_id == cid)).one()
    channel.status, channel.consecutive_failures, channel.pause_reason = "paused", 5, "HTTP 500"
    db.add(channel)
    db.commit()
    record(db, org, "call.completed", {"callId": "cl_while_paused"})
    fan_out_all()
    assert api_client.get(f"{BASE}/{cid}/deliveries?status=held", headers=h).json()["meta"]["total"] == 1
    refused = api_client.post(f"{BASE}/{cid}/test", headers=h)
    assert refused.status_code == 409 and refused.json()["error"]
    resumed = api_client.post(f"{BASE}/{cid}/resume", headers=h)
    assert resumed.status_code == 200
    data = resumed.json()["data"]
    assert data["status"] == "active" and data["consecutiveFailures"] == 0 and data["pauseReason"] is None
    deliver_now()
    assert [r.json()["data"]["callId"] for r in receiver.wait_for(path, 2)][1:] == ["cl_while_paused"]
    statuses = [d["status"] for d in api_client.get(f"{BASE}/{cid}/deliveries", headers=h).json()["data"]]
    assert statuses == ["succeeded", "succeeded"]


def test_bad_input_on_every_endpoint(api_client, owner, receiver, channels, notify_settings, factory):
    org, h = owner
    other_client = factory.client(factory.org())
    url = receiver.url("/bad-input")

    def post_error(body: dict) -> str:
        r = api_client.post(BASE, json=body, headers=h)
        assert r.status_code == 422, (body, r.json())
        assert r.json()["error"] and r.json()["details"], body
        return r.json()["details"][0]["field"]

    assert post_error({"kind": "pager", "url": url, "events": ["call.new"]}) == "kind"
    assert post_error({"url": url, "events": ["call.new"]}) == "kind"
    assert post_error({"kind": "webhook", "url": url, "events": ["call.exploded"]}) == "events[0]"
    assert post_error({"kind": "webhook", "url": url, "events": []}) == "events"
    assert post_error({"kind": "webhook", "url": url}) == "events"
    assert post_error({"kind": "webhook", "url": url, "events": "call.new"}) == "events"
    for bad_url in ("not a url", "ftp://example.com/x", "http://user:pw@127.0.0.1/x", "http://127.0.0.1/x?token=1"):
        assert post_error({"kind": "webhook", "url": bad_url, "events": ["call.new"]}) == "url", bad_url
    assert post_error({"kind": "webhook", "events": ["call.new"]}) == "url"
    assert post_error({"kind": "email", "email": "not-an-email", "events": ["call.new"]}) == "email"
    assert post_error({"kind": "email", "events": ["call.new"]}) == "email"
    assert post_error({"kind": "email", "email": "a@example.com", "url": url, "events": ["call.new"]}) == "url"
    assert post_error({"kind": "webhook", "url": url, "email": "a@example.com", "events": ["call.new"]}) == "email"
    assert (
        post_error({"kind": "webhook", "url": url, "events": ["call.new"], "clientId": other_client.public_id})
        == "clientId"
    )
    assert post_error({"kind": "webhook", "url": url, "events": ["call.new"], "summaryHour": 24}) == "summaryHour"
    assert post_error({"kind": "webhook", "url": url, "events": ["call.new"], "summaryHour": "eight"}) == "summaryHour"
    assert post_error({"kind": "webhook", "url": url, "events": ["call.new"], "name": "x" * 201}) == "name"
    assert post_error({"kind": "webhook", "url": url, "events": ["call.new"], "surprise": 1}) == "surprise"
    bad_json = api_client.post(BASE, content=b"{nope", headers={**h, "Content-Type": "application/json"})
    assert bad_json.status_code == 422 and bad_json.json()["details"][0]["field"] == "body"

    slack = _create(api_client, h, channels, org, kind="slack", url=receiver.url("/services/T/B/c"))
    cid = slack["id"]

    def patch_error(body: dict) -> str:
        r = api_client.patch(f"{BASE}/{cid}", json=body, headers=h)
        assert r.status_code == 422, (body, r.json())
        return r.json()["details"][0]["field"]

    assert patch_error({"events": ["call.exploded"]}) == "events[0]"
    assert patch_error({"events": []}) == "events"
    assert patch_error({"url": "ftp://x"}) == "url"
    assert patch_error({"email": "a@example.com"}) == "email"
    assert patch_error({"clientId": other_client.public_id}) == "clientId"
    assert patch_error({"summaryHour": -1}) == "summaryHour"
    assert patch_error({"kind": "email"}) == "kind"  # the kind cannot change

    rotate = api_client.post(f"{BASE}/{cid}/rotate-secret", headers=h)
    assert rotate.status_code == 422 and rotate.json()["details"][0]["field"] == "kind"
    for query, field in (
        ("status=bogus", "status"),
        ("perPage=0", "perPage"),
        ("perPage=101", "perPage"),
        ("page=0", "page"),
        ("page=x", "page"),
    ):
        r = api_client.get(f"{BASE}/{cid}/deliveries?{query}", headers=h)
        assert r.status_code == 422 and r.json()["details"][0]["field"] == field, query
    for method, suffix in (
        ("get", ""),
        ("patch", ""),
        ("delete", ""),
        ("post", "/test"),
        ("get", "/deliveries"),
        ("post", "/resume"),
        ("post", "/rotate-secret"),
    ):
        kwargs = {"json": {"name": "x"}} if method == "patch" else {}
        r = getattr(api_client, method)(f"{BASE}/nch_doesnotexist{suffix}", headers=h, **kwargs)
        assert r.status_code == 404 and r.json()["error"], (method, suffix)


def test_private_targets_are_refused_unless_allowed(api_client, owner, monkeypatch):
    from voiceconsole.settings import get_settings

    _org, h = owner
    monkeypatch.delenv("VOICECONSOLE_ALLOW_PRIVATE_TARGETS", raising=False)
    get_settings.cache_clear()
    try:
        for url in (
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://10.1.2.3/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/hook",
            "https://192.168.1.10/hook",
        ):
            for kind in ("webhook", "slack", "discord"):
                r = api_client.post(BASE, json={"kind": kind, "url": url, "events": ["call.new"]}, headers=h)
                assert r.status_code == 422, (kind, url)
                detail = r.json()["details"][0]
                assert detail["field"] == "url" and "VOICECONSOLE_ALLOW_PRIVATE_TARGETS" in detail["message"], url
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_tenant_isolation_roles_and_auth_on_every_endpoint(api_client, factory, receiver, channels, notify_settings):
    org, other = factory.org(), factory.org()
    h, theirs_h = bearer(factory.api_key(org)), bearer(factory.api_key(other))
    mine = _create(api_client, h, channels, org, kind="webhook", url=receiver.url("/iso-mine"))
    theirs = _create(api_client, theirs_h, channels, other, kind="webhook", url=receiver.url("/iso-theirs"))
    endpoints = (
        ("get", ""),
        ("patch", ""),
        ("post", "/test"),
        ("get", "/deliveries"),
        ("post", "/resume"),
        ("post", "/rotate-secret"),
        ("delete", ""),
    )

    def call(method: str, channel_id: str, suffix: str, headers: dict | None):
        kwargs = {"json": {"name": "renamed"}} if method == "patch" else {}
        return getattr(api_client, method)(f"{BASE}/{channel_id}{suffix}", headers=headers or {}, **kwargs)

    # Another organization's channel does not exist for us, whatever we try.
    for method, suffix in endpoints:
        r = call(method, theirs["id"], suffix, h)
        assert r.status_code == 404, (method, suffix)
    assert [c["id"] for c in api_client.get(BASE, headers=h).json()["data"]] == [mine["id"]]
    still = api_client.get(f"{BASE}/{theirs['id']}", headers=theirs_h).json()["data"]
    assert still["name"] == theirs["name"] and still["status"] == "active"

    # No credentials: 401 everywhere, before anything about the body.
    assert api_client.get(BASE).status_code == 401
    assert api_client.post(BASE, json={"kind": "nope"}).status_code == 401
    for method, suffix in endpoints:
        assert call(method, mine["id"], suffix, None).status_code == 401, (method, suffix)

    # Members read; only owners and admins change anything.
    member = bearer(factory.api_key(org, role="member"))
    assert api_client.get(BASE, headers=member).status_code == 200
    assert call("get", mine["id"], "/deliveries", member).status_code == 200
    r = api_client.post(
        BASE, json={"kind": "webhook", "url": receiver.url("/x"), "events": ["call.new"]}, headers=member
    )
    assert r.status_code == 403
    for method, suffix in endpoints:
        if method != "get":
            assert call(method, mine["id"], suffix, member).status_code == 403, (method, suffix)
    admin = bearer(factory.api_key(org, role="admin"))
    assert call("post", mine["id"], "/test", admin).status_code == 202

    # A client viewer sees no channels at all.
    client = factory.client(org)
    _, token = factory.user_session(org, role="client_viewer", client=client)
    api_client.cookies.set("cp_session", token)
    try:
        assert api_client.get(BASE).status_code == 403
        assert api_client.get(f"{BASE}/{mine['id']}/deliveries").status_code == 403
    finally:
        api_client.cookies.clear()
