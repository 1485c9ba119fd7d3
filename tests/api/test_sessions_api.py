"""A person's own browser sessions: listed with device, IP, created and last seen, this one first; one signed
out, or all but this one, or all; each recorded as `session.revoked`. API keys have none (403)."""

from __future__ import annotations

from sqlmodel import select

from tests.support.http import bearer
from voiceconsole.models import AuditLog, UserSession

FIREFOX_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
SAME_ORIGIN = {"Origin": "http://testserver"}


def _browser(db, user, org, *, user_agent: str, ip: str) -> str:
    """Another browser where `user` is signed in; returns its raw token."""
    from voiceconsole.services.accounts import start_session

    token = start_session(db, user=user, org=org, method="magic_link", ip=ip, user_agent=user_agent)
    db.commit()
    return token


def test_sessions_are_listed_this_one_first_with_device_and_ip(api_client, factory, db):
    org = factory.org()
    user, token = factory.user_session(org)
    _browser(db, user, org, user_agent=SAFARI_IPHONE, ip="203.0.113.7")
    other_person, _ = factory.user_session(org)
    _browser(db, other_person, org, user_agent=FIREFOX_MAC, ip="198.51.100.1")

    listed = api_client.get("/api/v1/sessions", cookies={"cp_session": token})
    assert listed.status_code == 200
    body = listed.json()
    assert body["meta"] == {"page": 1, "perPage": 20, "total": 2}  # only this person's
    current, phone = body["data"]
    assert current["current"] is True and current["lastSeenAt"]
    assert phone["current"] is False and phone["device"] == "Safari on iOS" and phone["ip"] == "203.0.113.7"
    assert phone["id"].startswith("ses_") and phone["method"] == "magic_link" and phone["createdAt"]


def test_signing_out_another_session_ends_it_at_once(api_client, factory, db):
    org = factory.org()
    user, token = factory.user_session(org)
    phone_token = _browser(db, user, org, user_agent=SAFARI_IPHONE, ip="203.0.113.7")
    phone_id = [s for s in api_client.get("/api/v1/sessions", cookies={"cp_session": token}).json()["data"]][1]["id"]

    done = api_client.delete(f"/api/v1/sessions/{phone_id}", cookies={"cp_session": token}, headers=SAME_ORIGIN)
    assert done.status_code == 200 and done.json()["data"]["id"] == phone_id
    assert "cp_session" not in done.headers.get("set-cookie", "")  # this browser stays signed in
    assert api_client.get("/api/v1/auth/me", cookies={"cp_session": phone_token}).status_code == 401
    assert api_client.get("/api/v1/auth/me", cookies={"cp_session": token}).status_code == 200
    entry = db.exec(
        select(AuditLog).where(AuditLog.organization_id == org.id, AuditLog.action == "session.revoked")
    ).one()
    assert entry.target_id == phone_id and entry.actor == f"user:{user.id}" and entry.ip
    assert entry.details["device"] == "Safari on iOS"
    # Again, or another person's session: not found.
    again = api_client.delete(f"/api/v1/sessions/{phone_id}", cookies={"cp_session": token}, headers=SAME_ORIGIN)
    assert again.status_code == 404


def test_another_persons_session_cannot_be_signed_out(api_client, factory, db):
    org = factory.org()
    _, token = factory.user_session(org)
    other, other_token = factory.user_session(org)
    other_id = db.exec(select(UserSession.public_id).where(UserSession.user_id == other.id)).first()
    refused = api_client.delete(f"/api/v1/sessions/{other_id}", cookies={"cp_session": token}, headers=SAME_ORIGIN)
    assert refused.status_code == 404
    assert api_client.get("/api/v1/auth/me", cookies={"cp_session": other_token}).status_code == 200


def test_sign_out_everywhere_keeps_this_browser_unless_asked(api_client, factory, db):
    org = factory.org()
    user, token = factory.user_session(org)
    others = [_browser(db, user, org, user_agent=FIREFOX_MAC, ip=f"192.0.2.{i}") for i in range(3)]
    kept = api_client.delete("/api/v1/sessions", cookies={"cp_session": token}, headers=SAME_ORIGIN)
    assert kept.status_code == 200 and kept.json()["data"] == {"revoked": 3, "currentRevoked": False}
    assert all(api_client.get("/api/v1/auth/me", cookies={"cp_session": t}).status_code == 401 for t in others)
    assert api_client.get("/api/v1/auth/me", cookies={"cp_session": token}).status_code == 200

    everything = api_client.delete(
        "/api/v1/sessions?keepCurrent=false", cookies={"cp_session": token}, headers=SAME_ORIGIN
    )
    assert everything.json()["data"] == {"revoked": 1, "currentRevoked": True}
    assert 'cp_session=""' in everything.headers["set-cookie"] or "Max-Age=0" in everything.headers["set-cookie"]
    assert api_client.get("/api/v1/auth/me", cookies={"cp_session": token}).status_code == 401


def test_cross_site_sign_outs_are_refused(api_client, factory):
    org = factory.org()
    _, token = factory.user_session(org)
    forged = api_client.delete(
        "/api/v1/sessions", cookies={"cp_session": token}, headers={"Origin": "https://evil.example"}
    )
    assert forged.status_code == 403


def test_api_keys_have_no_sessions(api_client, factory):
    org = factory.org()
    key = factory.api_key(org)
    for method, path in (
        ("GET", "/api/v1/sessions"),
        ("DELETE", "/api/v1/sessions"),
        ("DELETE", "/api/v1/sessions/ses_x"),
    ):
        answer = api_client.request(method, path, headers=bearer(key))
        assert answer.status_code == 403, (method, path)
        assert "API key" in answer.json()["error"]
    assert api_client.get("/api/v1/sessions").status_code == 401


def test_devices_are_described_simply():
    from voiceconsole.services.access.devices import describe_device

    chrome_win = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
    )
    edge = chrome_win + " Edg/131.0"
    android = (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 "
        "Mobile Safari/537.36"
    )
    assert describe_device(chrome_win) == "Chrome on Windows"
    assert describe_device(edge) == "Edge on Windows"
    assert describe_device(android) == "Chrome on Android"
    assert describe_device(FIREFOX_MAC) == "Firefox on macOS"
    assert describe_device(SAFARI_IPHONE) == "Safari on iOS"
    assert describe_device("curl/8.5.0") == "curl"
    assert describe_device(None) == "Unknown device"
