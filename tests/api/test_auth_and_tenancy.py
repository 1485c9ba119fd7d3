"""Authentication (API keys, cp_session cookie, magic links) and tenancy (DESIGN.md §3, §5)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.support.http import bearer

UNAUTHORIZED = {"error": "Unauthorized"}
ORIGIN = {"Origin": "http://testserver"}


def cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"cp_session={token}"}


# ---------------------------------------------------------------------------- 401s

PROTECTED = [
    ("GET", "/api/calls"),
    ("GET", "/api/v1/calls"),
    ("GET", "/api/calls/cl_x"),
    ("POST", "/api/calls/cl_x/notes"),
    ("POST", "/api/calls/cl_x/tags"),
    ("DELETE", "/api/calls/cl_x/tags"),
    ("GET", "/api/v1/agents"),
    ("GET", "/api/agents"),
    ("GET", "/api/v1/agents/ag_x"),
    ("GET", "/api/agents/stats"),
    ("GET", "/api/v1/api-keys"),
    ("POST", "/api/v1/api-keys"),
    ("DELETE", "/api/v1/api-keys/key_x"),
    ("GET", "/api/auth/me"),
]


def _bodies(method: str, path: str):
    if path.endswith("/notes"):
        return {"body": "hi"}
    if path.endswith("/tags"):
        return {"tags": ["x"]}
    if method == "POST":
        return {"name": "x"}
    return None


@pytest.mark.parametrize("method,path", PROTECTED, ids=[f"{m} {p}" for m, p in PROTECTED])
def test_no_key_is_401(api_client, method, path):
    r = api_client.request(method, path, json=_bodies(method, path))
    assert r.status_code == 401, r.text
    assert r.json() == UNAUTHORIZED


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer viq_",
        "viq_abcdefghijklmnopqrstuvwxyz0123456789ABCD",
        "Basic dXNlcjpwYXNz",
        "Token viq_abcdefghijklmnopqrstuvwxyz0123456789ABCD",
        "Bearer viq_abcdefghijklmnopqrstuvwxyz0123456789ABCD",
        "Bearer sk_live_abcdefghijklmnop",
        "Bearer " + "viq_" + "a" * 300,
    ],
)
def test_malformed_or_wrong_key_is_401(api_client, factory, header):
    org = factory.org()
    factory.call(org, factory.agent(org))
    factory.api_key(org)
    r = api_client.get("/api/calls", headers={"Authorization": header})
    assert r.status_code == 401
    assert r.json() == UNAUTHORIZED


def test_key_with_one_character_changed_is_401(api_client, factory):
    org = factory.org()
    key = factory.api_key(org)
    assert api_client.get("/api/calls", headers=bearer(key)).status_code == 200
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    r = api_client.get("/api/calls", headers=bearer(tampered))
    assert r.status_code == 401 and r.json() == UNAUTHORIZED


def test_bearer_scheme_is_case_insensitive(api_client, factory):
    key = factory.api_key(factory.org())
    assert api_client.get("/api/calls", headers={"Authorization": f"bearer {key}"}).status_code == 200


def test_revoked_key_is_401(api_client, factory, db):
    from voiceconsole.services import api_keys
    from voiceconsole.services.access.actor import SYSTEM

    org = factory.org()
    key = factory.api_key(org)
    assert api_client.get("/api/calls", headers=bearer(key)).status_code == 200
    (row,) = api_keys.list_api_keys(db, org=org, actor=SYSTEM)
    api_keys.revoke_api_key(db, org=org, key_id=row.id, actor=SYSTEM)
    db.commit()
    for path in ("/api/calls", "/api/v1/agents", "/api/auth/me"):
        r = api_client.get(path, headers=bearer(key))
        assert r.status_code == 401 and r.json() == UNAUTHORIZED


def test_bad_cookie_is_401(api_client, factory):
    r = api_client.get("/api/calls", headers=cookie("not-a-session"))
    assert r.status_code == 401 and r.json() == UNAUTHORIZED


def test_expired_or_revoked_session_is_401(api_client, factory, db):
    from voiceconsole.models import UserSession
    from voiceconsole.models.types import utcnow
    from voiceconsole.services.security import sha256_hex

    org = factory.org()
    _, expired = factory.user_session(org)
    _, revoked = factory.user_session(org)
    for token in (expired, revoked):
        assert api_client.get("/api/calls", headers=cookie(token)).status_code == 200
    s1 = db.exec(select(UserSession).where(UserSession.token_hash == sha256_hex(expired))).one()
    s1.expires_at = utcnow() - timedelta(seconds=1)
    s2 = db.exec(select(UserSession).where(UserSession.token_hash == sha256_hex(revoked))).one()
    s2.revoked_at = utcnow()
    db.add(s1)
    db.add(s2)
    db.commit()
    for token in (expired, revoked):
        r = api_client.get("/api/calls", headers=cookie(token))
        assert r.status_code == 401 and r.json() == UNAUTHORIZED


# ---------------------------------------------------------------------------- tenancy


@pytest.fixture
def two_orgs(factory):
    a, b = factory.org(), factory.org()
    agent_a, agent_b = factory.agent(a), factory.agent(b)
    call_a, call_b = factory.call(a, agent_a), factory.call(b, agent_b)
    return dict(
        a=a,
        b=b,
        agent_a=agent_a,
        agent_b=agent_b,
        call_a=call_a,
        call_b=call_b,
        key_a=factory.api_key(a),
        key_b=factory.api_key(b),
    )


def test_other_orgs_call_and_agent_are_404(api_client, two_orgs):
    t = two_orgs
    h = bearer(t["key_a"])
    for prefix in ("/api", "/api/v1"):
        r = api_client.get(f"{prefix}/calls/{t['call_b'].public_id}", headers=h)
        assert r.status_code == 404 and r.json()["error"] == "Call not found"
        r = api_client.get(f"{prefix}/agents/{t['agent_b'].platform_agent_id}", headers=h)
        assert r.status_code == 404
    # B itself sees them: the 404 is about ownership, not existence
    assert api_client.get(f"/api/calls/{t['call_b'].public_id}", headers=bearer(t["key_b"])).status_code == 200


def test_other_orgs_call_cannot_be_written(api_client, two_orgs, db):
    from voiceconsole.models import CallNote, CallTag, Tag

    t = two_orgs
    h = bearer(t["key_a"])
    cid = t["call_b"].public_id
    assert api_client.post(f"/api/calls/{cid}/notes", json={"body": "mine now"}, headers=h).status_code == 404
    assert api_client.post(f"/api/calls/{cid}/tags", json={"tags": ["pwned"]}, headers=h).status_code == 404
    # B tags its own call; A cannot remove it
    assert (
        api_client.post(f"/api/calls/{cid}/tags", json={"tags": ["keep"]}, headers=bearer(t["key_b"])).status_code
        == 200
    )
    r = api_client.request("DELETE", f"/api/calls/{cid}/tags", json={"tags": ["keep"]}, headers=h)
    assert r.status_code == 404
    call_b = t["call_b"]
    assert db.exec(select(func.count()).select_from(CallNote).where(CallNote.call_id == call_b.id)).one() == 0
    names = db.exec(select(Tag.name).join(CallTag, CallTag.tag_id == Tag.id).where(CallTag.call_id == call_b.id)).all()
    assert list(names) == ["keep"]
    assert db.exec(select(func.count()).select_from(Tag).where(Tag.organization_id == t["a"].id)).one() == 0


def test_other_orgs_key_cannot_be_revoked(api_client, two_orgs, db):
    from voiceconsole.models import ApiKey

    t = two_orgs
    keys_b = api_client.get("/api/v1/api-keys", headers=bearer(t["key_b"])).json()["data"]
    assert len(keys_b) == 1
    r = api_client.delete(f"/api/v1/api-keys/{keys_b[0]['id']}", headers=bearer(t["key_a"]))
    assert r.status_code == 404 and r.json() == {"error": "API key not found"}
    row = db.exec(select(ApiKey).where(ApiKey.public_id == keys_b[0]["id"])).one()
    db.refresh(row)
    assert row.revoked_at is None
    assert api_client.get("/api/calls", headers=bearer(t["key_b"])).status_code == 200


def test_lists_never_include_other_orgs_rows(api_client, two_orgs):
    t = two_orgs
    h = bearer(t["key_a"])
    calls = api_client.get("/api/calls", params={"perPage": 100}, headers=h).json()
    assert [c["id"] for c in calls["data"]] == [t["call_a"].public_id] and calls["meta"]["total"] == 1
    # even when asking for B's agent or client explicitly
    by_agent = api_client.get("/api/calls", params={"agentId": t["agent_b"].platform_agent_id}, headers=h).json()
    assert by_agent["data"] == [] and by_agent["meta"]["total"] == 0
    agents = api_client.get("/api/v1/agents", headers=h).json()
    assert [a["id"] for a in agents["data"]] == [t["agent_a"].platform_agent_id]
    stats = api_client.get("/api/agents/stats", headers=h).json()["data"]
    assert stats["totalAgents"] == 1 and [a["id"] for a in stats["agents"]] == [t["agent_a"].platform_agent_id]
    keys = api_client.get("/api/v1/api-keys", headers=h).json()["data"]
    keys_b = api_client.get("/api/v1/api-keys", headers=bearer(t["key_b"])).json()["data"]
    assert {k["id"] for k in keys}.isdisjoint({k["id"] for k in keys_b})


def test_client_filter_with_another_orgs_client_matches_nothing(api_client, factory):
    a, b = factory.org(), factory.org()
    client_b = factory.client(b)
    factory.call(a, factory.agent(a))
    factory.call(b, factory.agent(b, client=client_b))
    r = api_client.get("/api/calls", params={"clientId": client_b.public_id}, headers=bearer(factory.api_key(a)))
    assert r.json()["data"] == []
    r = api_client.get("/api/v1/agents", params={"clientId": client_b.public_id}, headers=bearer(factory.api_key(a)))
    assert r.json()["data"] == []


# ---------------------------------------------------------------------------- cookie sessions


def test_cookie_session_reads(api_client, factory):
    org = factory.org()
    call = factory.call(org, factory.agent(org))
    user, token = factory.user_session(org)
    r = api_client.get("/api/calls", headers=cookie(token))
    assert r.status_code == 200 and [c["id"] for c in r.json()["data"]] == [call.public_id]
    me = api_client.get("/api/auth/me", headers=cookie(token)).json()["data"]
    assert me["actor"] == user.email and me["organization"]["slug"] == org.slug


@pytest.mark.parametrize("origin", [None, "http://evil.example", "https://testserver.evil.example", "null"])
def test_cookie_write_without_same_origin_is_refused(api_client, factory, db, origin):
    from voiceconsole.models import CallNote

    org = factory.org()
    call = factory.call(org, factory.agent(org))
    _, token = factory.user_session(org)
    headers = cookie(token) | ({"Origin": origin} if origin else {})
    r = api_client.post(f"/api/calls/{call.public_id}/notes", json={"body": "csrf"}, headers=headers)
    assert r.status_code == 403, r.text
    r = api_client.post(f"/api/calls/{call.public_id}/tags", json={"tags": ["csrf"]}, headers=headers)
    assert r.status_code == 403
    r = api_client.post("/api/v1/api-keys", json={"name": "csrf"}, headers=headers)
    assert r.status_code == 403
    assert db.exec(select(func.count()).select_from(CallNote).where(CallNote.call_id == call.id)).one() == 0
    detail = api_client.get(f"/api/calls/{call.public_id}", headers=cookie(token)).json()["data"]
    assert detail["tags"] == [] and detail["notes"] == []


def test_cookie_write_from_our_origin_works(api_client, factory):
    org = factory.org()
    call = factory.call(org, factory.agent(org))
    user, token = factory.user_session(org)
    r = api_client.post(
        f"/api/calls/{call.public_id}/notes", json={"body": "from the app"}, headers=cookie(token) | ORIGIN
    )
    assert r.status_code == 201, r.text
    assert r.json()["data"]["author"] == user.email
    # a Referer from our own pages is also accepted when no Origin is sent
    r = api_client.post(
        f"/api/calls/{call.public_id}/tags",
        json={"tags": ["ok"]},
        headers=cookie(token) | {"Referer": "http://testserver/calls"},
    )
    assert r.status_code == 200
    detail = api_client.get(f"/api/calls/{call.public_id}", headers=cookie(token)).json()["data"]
    assert [n["body"] for n in detail["notes"]] == ["from the app"] and detail["tags"] == ["ok"]


def test_api_key_writes_need_no_origin(api_client, factory):
    org = factory.org()
    call = factory.call(org, factory.agent(org))
    r = api_client.post(
        f"/api/calls/{call.public_id}/notes", json={"body": "automation"}, headers=bearer(factory.api_key(org))
    )
    assert r.status_code == 201


# ---------------------------------------------------------------------------- client viewers


def test_client_viewer_sees_only_its_client_and_cannot_write(api_client, factory, db):
    from voiceconsole.models import CallNote

    org = factory.org()
    mine, theirs = factory.client(org), factory.client(org)
    my_agent, their_agent, loose_agent = (
        factory.agent(org, client=mine),
        factory.agent(org, client=theirs),
        factory.agent(org),
    )
    my_calls = [factory.call(org, my_agent) for _ in range(2)]
    their_call = factory.call(org, their_agent)
    loose_call = factory.call(org, loose_agent)
    _, token = factory.user_session(org, role="client_viewer", client=mine)
    h = cookie(token)

    listed = api_client.get("/api/calls", params={"perPage": 100}, headers=h).json()
    assert {c["id"] for c in listed["data"]} == {c.public_id for c in my_calls}
    assert listed["meta"]["total"] == 2
    # asking for the other client explicitly does not widen the view
    assert api_client.get("/api/calls", params={"clientId": theirs.public_id}, headers=h).json()["data"] == []
    assert api_client.get(f"/api/calls/{my_calls[0].public_id}", headers=h).status_code == 200
    for other in (their_call, loose_call):
        assert api_client.get(f"/api/calls/{other.public_id}", headers=h).status_code == 404
    agents = api_client.get("/api/v1/agents", headers=h).json()["data"]
    assert [a["id"] for a in agents] == [my_agent.platform_agent_id]
    assert api_client.get(f"/api/v1/agents/{their_agent.platform_agent_id}", headers=h).status_code == 404
    stats = api_client.get("/api/agents/stats", headers=h).json()["data"]
    assert stats["totalAgents"] == 1

    # read-only, even from our own origin
    target = my_calls[0].public_id
    w = h | ORIGIN
    r = api_client.post(f"/api/calls/{target}/notes", json={"body": "hi"}, headers=w)
    assert r.status_code == 403 and "read-only" in r.json()["error"]
    assert api_client.post(f"/api/calls/{target}/tags", json={"tags": ["x"]}, headers=w).status_code == 403
    assert api_client.request("DELETE", f"/api/calls/{target}/tags", json={"tags": ["x"]}, headers=w).status_code == 403
    assert api_client.get("/api/v1/api-keys", headers=h).status_code == 403
    assert api_client.post("/api/v1/api-keys", json={"name": "sneaky"}, headers=w).status_code == 403
    assert db.exec(select(func.count()).select_from(CallNote).where(CallNote.organization_id == org.id)).one() == 0


def test_member_cannot_manage_api_keys_but_can_annotate(api_client, factory):
    org = factory.org()
    call = factory.call(org, factory.agent(org))
    member_key = factory.api_key(org, role="member")
    h = bearer(member_key)
    assert api_client.get("/api/v1/api-keys", headers=h).status_code == 403
    assert api_client.post("/api/v1/api-keys", json={"name": "escalate", "role": "owner"}, headers=h).status_code == 403
    assert api_client.post(f"/api/calls/{call.public_id}/notes", json={"body": "ok"}, headers=h).status_code == 201


# ---------------------------------------------------------------------------- API keys


KEY_RE = re.compile(r"viq_[A-Za-z0-9]{32,}")


def test_api_key_lifecycle(api_client, factory, db):
    from voiceconsole.models import ApiKey

    org = factory.org()
    admin = bearer(factory.api_key(org))
    r = api_client.post("/api/v1/api-keys", json={"name": "Zapier"}, headers=admin)
    assert r.status_code == 201, r.text
    created = r.json()["data"]
    raw = created["key"]
    assert KEY_RE.fullmatch(raw), raw
    assert created["name"] == "Zapier" and created["role"] == "owner"
    assert re.fullmatch(r"key_[A-Za-z0-9]+", created["id"])
    assert raw.startswith(created["prefix"]) and len(created["prefix"]) < 16
    assert created["createdAt"].endswith("Z") and created["lastUsedAt"] is None

    digest = hashlib.sha256(raw.encode()).hexdigest()
    listed = api_client.get("/api/v1/api-keys", headers=admin)
    assert raw not in listed.text and digest not in listed.text
    item = next(k for k in listed.json()["data"] if k["id"] == created["id"])
    assert "key" not in item and not any("hash" in f.lower() for f in item)
    assert item["name"] == "Zapier"

    # only the SHA-256 is stored; the key itself appears in no column
    row = db.exec(select(ApiKey).where(ApiKey.public_id == created["id"])).one()
    assert row.key_hash == digest
    assert all(raw not in str(v) for v in row.model_dump().values())

    # the new key works and records its use
    me = api_client.get("/api/auth/me", headers=bearer(raw))
    assert me.status_code == 200 and me.json()["data"]["organization"]["slug"] == org.slug
    db.refresh(row)
    assert row.last_used_at is not None

    # revoke → 401 from then on; gone from the list; a second revoke is 404
    r = api_client.delete(f"/api/v1/api-keys/{created['id']}", headers=admin)
    assert r.status_code == 200 and r.json()["data"]["revokedAt"].endswith("Z")
    assert "key" not in r.json()["data"]
    r = api_client.get("/api/calls", headers=bearer(raw))
    assert r.status_code == 401 and r.json() == UNAUTHORIZED
    assert created["id"] not in {k["id"] for k in api_client.get("/api/v1/api-keys", headers=admin).json()["data"]}
    assert api_client.delete(f"/api/v1/api-keys/{created['id']}", headers=admin).status_code == 404


def test_every_created_key_is_distinct(api_client, factory):
    admin = bearer(factory.api_key(factory.org()))
    keys = [
        api_client.post("/api/api-keys", json={"name": f"k{i}"}, headers=admin).json()["data"]["key"] for i in range(5)
    ]
    assert len(set(keys)) == 5 and all(KEY_RE.fullmatch(k) for k in keys)


def test_member_role_key_created_via_api_has_member_rights(api_client, factory):
    admin = bearer(factory.api_key(factory.org()))
    raw = api_client.post("/api/v1/api-keys", json={"name": "ro", "role": "member"}, headers=admin).json()["data"][
        "key"
    ]
    assert api_client.get("/api/calls", headers=bearer(raw)).status_code == 200
    assert api_client.post("/api/v1/api-keys", json={"name": "x"}, headers=bearer(raw)).status_code == 403


# ---------------------------------------------------------------------------- magic links


def _token_from(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def _login(api_client, token: str):
    return api_client.get("/api/auth/magic", params={"token": token}, follow_redirects=False)


def _set_cookie(r) -> str:
    values = r.headers.get_list("set-cookie")
    found = [v for v in values if v.startswith("cp_session=")]
    assert len(found) == 1, values
    return found[0]


def _cookie_attrs(header: str) -> tuple[str, dict[str, str]]:
    first, *attrs = [p.strip() for p in header.split(";")]
    parsed = {}
    for a in attrs:
        k, _, v = a.partition("=")
        parsed[k.lower()] = v
    return first.split("=", 1)[1], parsed


def test_magic_link_request_delivers_a_working_link(api_client, db, capsys):
    from voiceconsole.models import MagicLink

    email = f"Owner{id(db)}@Agency.Example"
    r = api_client.post("/api/auth/magic-link", json={"email": email})
    assert r.status_code == 202 and r.json()["data"] == {"sent": True}
    out = capsys.readouterr().out
    urls = re.findall(r"http://testserver/api/auth/magic\?token=\S+", out)
    assert len(urls) == 1, out
    token = _token_from(urls[0])
    # stored hashed, under the normalised address
    link = db.exec(select(MagicLink).where(MagicLink.email == email.lower())).one()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in link.token_hash
    r = _login(api_client, token)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"
    value, _ = _cookie_attrs(_set_cookie(r))
    me = api_client.get("/api/auth/me", headers=cookie(value))
    assert me.status_code == 200 and me.json()["data"]["actor"] == email.lower()


def test_magic_link_login_sets_a_safe_session_cookie(api_client, factory, db):
    from voiceconsole.models import UserSession
    from voiceconsole.services import accounts

    org = factory.org()
    user, _ = factory.user_session(org)
    token = _token_from(accounts.create_magic_link(db, email=user.email))
    db.commit()
    r = _login(api_client, token)
    assert r.status_code == 303
    value, attrs = _cookie_attrs(_set_cookie(r))
    assert "httponly" in attrs
    assert attrs.get("samesite", "").lower() == "lax"
    assert int(attrs["max-age"]) == 7 * 24 * 3600
    assert attrs.get("path") == "/"
    assert "secure" not in attrs  # http://testserver; production (https) adds Secure
    assert len(value) >= 32
    # the session is stored hashed and lasts 7 days
    row = db.exec(select(UserSession).where(UserSession.token_hash == hashlib.sha256(value.encode()).hexdigest())).one()
    assert row.user_id == user.id and row.organization_id == org.id
    assert abs((row.expires_at - row.created_at) - timedelta(days=7)) < timedelta(seconds=5)
    r = api_client.get("/api/calls", headers=cookie(value))
    assert r.status_code == 200


def test_magic_link_next_parameter_only_allows_local_paths(api_client, factory, db):
    from voiceconsole.services import accounts

    org = factory.org()
    user, _ = factory.user_session(org)
    for nxt, expected in (
        ("/agents", "/agents"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example", "/dashboard"),
    ):
        token = _token_from(accounts.create_magic_link(db, email=user.email))
        db.commit()
        r = api_client.get("/api/auth/magic", params={"token": token, "next": nxt}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == expected


def test_magic_link_works_once(api_client, factory, db):
    from voiceconsole.services import accounts

    org = factory.org()
    user, _ = factory.user_session(org)
    token = _token_from(accounts.create_magic_link(db, email=user.email))
    db.commit()
    assert _login(api_client, token).status_code == 303
    again = _login(api_client, token)
    assert again.status_code == 303
    assert again.headers["location"] == "/login?error=expired"
    assert not [v for v in again.headers.get_list("set-cookie") if v.startswith("cp_session=")]


@pytest.mark.parametrize("token", ["", "garbage", "x" * 200])
def test_unknown_magic_token_fails(api_client, token):
    r = _login(api_client, token)
    assert r.status_code == 303 and r.headers["location"] == "/login?error=expired"
    assert "cp_session=" not in r.headers.get("set-cookie", "")


def _link_row(db, token):
    from voiceconsole.models import MagicLink

    return db.exec(select(MagicLink).where(MagicLink.token_hash == hashlib.sha256(token.encode()).hexdigest())).one()


def test_magic_link_lifetime_is_15_minutes_for_existing_users(api_client, factory, db):
    from voiceconsole.models.types import utcnow
    from voiceconsole.services import accounts

    org = factory.org()
    user, _ = factory.user_session(org)
    before = utcnow()
    token = _token_from(accounts.create_magic_link(db, email=user.email))
    db.commit()
    link = _link_row(db, token)
    assert before + timedelta(minutes=15) - timedelta(seconds=5) <= link.expires_at <= utcnow() + timedelta(minutes=15)
    # 16 minutes later: expired
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.add(link)
    db.commit()
    r = _login(api_client, token)
    assert r.status_code == 303 and r.headers["location"] == "/login?error=expired"


def test_first_link_of_a_new_account_lasts_24_hours(api_client, db):
    from voiceconsole.models.types import utcnow
    from voiceconsole.services import accounts

    email = f"new-{utcnow().timestamp()}@fresh.example"
    before = utcnow()
    token = _token_from(accounts.create_magic_link(db, email=email))
    db.commit()
    link = _link_row(db, token)
    assert before + timedelta(hours=24) - timedelta(seconds=5) <= link.expires_at <= utcnow() + timedelta(hours=24)
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.add(link)
    db.commit()
    r = _login(api_client, token)
    assert r.headers["location"] == "/login?error=expired"


def test_new_email_gets_its_own_organization_on_first_login(api_client, db):
    from voiceconsole.models import Membership, Organization, User
    from voiceconsole.services import accounts

    email = f"founder-{id(api_client)}@startup.example"
    orgs_before = db.exec(select(func.count()).select_from(Organization)).one()
    token = _token_from(accounts.create_magic_link(db, email=email))
    db.commit()
    r = _login(api_client, token)
    assert r.status_code == 303
    value, _ = _cookie_attrs(_set_cookie(r))
    assert db.exec(select(func.count()).select_from(Organization)).one() == orgs_before + 1
    user = db.exec(select(User).where(User.email == email)).one()
    (membership,) = db.exec(select(Membership).where(Membership.user_id == user.id)).all()
    assert membership.role == "owner"
    me = api_client.get("/api/auth/me", headers=cookie(value)).json()["data"]
    org = db.get(Organization, membership.organization_id)
    assert me["organization"]["slug"] == org.slug and me["role"] == "owner"
    # empty, but theirs
    assert api_client.get("/api/calls", headers=cookie(value)).json()["meta"]["total"] == 0
    # logging in again lands in the same organization
    token2 = _token_from(accounts.create_magic_link(db, email=email))
    db.commit()
    value2, _ = _cookie_attrs(_set_cookie(_login(api_client, token2)))
    assert api_client.get("/api/auth/me", headers=cookie(value2)).json()["data"]["organization"]["slug"] == org.slug
    assert db.exec(select(func.count()).select_from(Organization)).one() == orgs_before + 1


def test_logout_revokes_the_session(api_client, factory, db):
    from voiceconsole.models import UserSession

    org = factory.org()
    _, token = factory.user_session(org)
    assert api_client.get("/api/calls", headers=cookie(token)).status_code == 200
    r = api_client.post("/api/auth/logout", headers=cookie(token) | {"Accept": "application/json"} | ORIGIN)
    assert r.status_code == 200 and r.json()["data"] == {"loggedOut": True}
    cleared = _set_cookie(r)
    assert "max-age=0" in cleared.lower() or "expires=" in cleared.lower()
    # the old token no longer works, even if a client kept it
    r = api_client.get("/api/calls", headers=cookie(token))
    assert r.status_code == 401 and r.json() == UNAUTHORIZED
    row = db.exec(select(UserSession).where(UserSession.token_hash == hashlib.sha256(token.encode()).hexdigest())).one()
    db.refresh(row)
    assert row.revoked_at is not None


def test_logout_from_the_browser_redirects_to_login(api_client, factory):
    _, token = factory.user_session(factory.org())
    r = api_client.post("/api/auth/logout", headers=cookie(token) | ORIGIN, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert api_client.get("/api/calls", headers=cookie(token)).status_code == 401


def test_nobody_grants_a_role_above_their_own(api_client, factory):
    org = factory.org()
    owner, admin = bearer(factory.api_key(org, role="owner")), bearer(factory.api_key(org, role="admin"))
    refused = api_client.post("/api/v1/api-keys", json={"name": "escalate", "role": "owner"}, headers=admin)
    assert refused.status_code == 403 and "above your own" in refused.json()["error"]
    by_default = api_client.post("/api/v1/api-keys", json={"name": "mine"}, headers=admin).json()["data"]
    assert by_default["role"] == "admin"  # a key acts with its creator's role unless given a lower one
    owners_key = api_client.post("/api/v1/api-keys", json={"name": "o", "role": "owner"}, headers=owner).json()["data"]
    assert owners_key["role"] == "owner"
    assert api_client.delete(f"/api/v1/api-keys/{owners_key['id']}", headers=admin).status_code == 403
    assert api_client.get("/api/calls", headers=bearer(owners_key["key"])).status_code == 200  # still valid
    assert api_client.delete(f"/api/v1/api-keys/{by_default['id']}", headers=admin).status_code == 200
    assert api_client.delete(f"/api/v1/api-keys/{owners_key['id']}", headers=owner).status_code == 200
