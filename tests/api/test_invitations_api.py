"""Invitations: inviting by email with a role, the emailed single-use link, resending and revoking."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.support.llm_server import drain
from tests.support.team import INVITE_LINK_RE, invite_link, person, token_of


@pytest.fixture
def team(factory):
    org = factory.org()
    return {
        "org": org,
        "client": factory.client(org),
        "owner": person(factory, org, role="owner"),
        "admin": person(factory, org, role="admin"),
        "member": person(factory, org, role="member"),
    }


@pytest.fixture
def smtp(notify_settings, mailbox, no_jobs_left_behind):
    return mailbox


def _invite(api_client, who, email, role="member", **extra):
    return api_client.post("/api/v1/invitations", json={"email": email, "role": role, **extra}, headers=who.cookie)


def _accept(api_client, link):
    path = link.split("testserver", 1)[1]
    return api_client.get(path, follow_redirects=False)


def _session_cookie(response) -> dict[str, str]:
    token = response.cookies.get("cp_session")
    assert token, response.headers
    return {"Cookie": f"cp_session={token}", "Origin": "http://testserver"}


def test_invite_a_new_person_who_accepts_from_the_email(api_client, db, team, smtp):
    from voiceconsole.models import AuditLog, User

    r = _invite(api_client, team["admin"], "New.Person@Example.com", "member")
    assert r.status_code == 201, r.text
    inv = r.json()["data"]
    assert inv["id"].startswith("inv_") and inv["email"] == "new.person@example.com"
    assert inv["role"] == "member" and inv["clientId"] is None and inv["invitedBy"] == team["admin"].email
    assert inv["expired"] is False
    drain("notify")
    (message,) = smtp.wait_for("new.person@example.com", subject="You are invited")
    assert team["org"].name in message["Subject"]
    link = invite_link(message)

    r = _accept(api_client, link)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"
    me = api_client.get("/api/auth/me", headers=_session_cookie(r)).json()["data"]
    assert me["role"] == "member" and me["organization"]["slug"] == team["org"].slug
    assert db.exec(select(func.count()).select_from(User).where(User.email == "new.person@example.com")).one() == 1
    members = api_client.get("/api/v1/members", headers=team["owner"].cookie).json()["data"]
    assert "new.person@example.com" in [m["email"] for m in members]
    assert api_client.get("/api/v1/invitations", headers=team["owner"].cookie).json()["data"] == []
    actions = set(db.exec(select(AuditLog.action).where(AuditLog.organization_id == team["org"].id)).all())
    assert {"invitation.created", "invitation.accepted", "session.created"} <= actions
    # The session is one like any sign-in's: how and from where, listed under Settings → Security.
    (listed,) = api_client.get("/api/v1/sessions", headers=_session_cookie(r)).json()["data"]
    assert listed["method"] == "invitation" and listed["current"] is True and listed["ip"]

    # Single use.
    again = _accept(api_client, link)
    assert again.status_code == 303 and again.headers["location"] == "/login?error=invitation"
    assert "cp_session" not in again.cookies


def test_a_client_viewer_invitation_needs_a_client_and_scopes_the_invitee(api_client, factory, team, smtp):
    org, client = team["org"], team["client"]
    r = _invite(api_client, team["owner"], "viewer@example.com", "client_viewer")
    assert r.status_code == 422 and r.json()["details"] == [
        {"field": "clientId", "message": "Choose the client this viewer may see"}
    ]
    r = _invite(
        api_client,
        team["owner"],
        "viewer@example.com",
        "client_viewer",
        clientId=factory.client(factory.org()).public_id,
    )
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "clientId"
    r = _invite(api_client, team["owner"], "viewer@example.com", "client_viewer", clientId=client.public_id)
    assert r.status_code == 201 and r.json()["data"]["clientId"] == client.public_id
    mine = factory.call(org, factory.agent(org, client=client))
    factory.call(org, factory.agent(org))
    drain("notify")
    (message,) = smtp.wait_for("viewer@example.com")
    headers = _session_cookie(_accept(api_client, invite_link(message)))
    assert [c["id"] for c in api_client.get("/api/calls", headers=headers).json()["data"]] == [mine.public_id]
    assert api_client.get("/api/v1/members", headers=headers).status_code == 403


def test_bad_input_is_422_naming_the_field(api_client, team):
    owner = team["owner"]
    r = _invite(api_client, owner, "not an email")
    assert r.status_code == 422 and r.json()["details"] == [
        {"field": "email", "message": "Enter a valid email address"}
    ]
    r = _invite(api_client, owner, "a@example.com", "boss")
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "role"
    r = api_client.post("/api/v1/invitations", json={"email": "a@example.com"}, headers=owner.cookie)
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "role"
    r = _invite(api_client, owner, "a@example.com", "member", surprise=True)
    assert r.status_code == 422


def test_the_same_pending_email_twice_or_a_member_is_409(api_client, factory, team):
    owner = team["owner"]
    assert _invite(api_client, owner, "twice@example.com").status_code == 201
    r = _invite(api_client, team["admin"], "TWICE@example.com", "admin")
    assert r.status_code == 409
    assert r.json()["details"] == [
        {"field": "email", "message": "twice@example.com already has a pending invitation: resend it instead"}
    ]
    r = _invite(api_client, owner, team["member"].email)
    assert r.status_code == 409 and r.json()["details"][0]["field"] == "email"
    # Another organization may invite the same person.
    other_owner = person(factory, factory.org(), role="owner")
    assert _invite(api_client, other_owner, "twice@example.com").status_code == 201


def test_nobody_invites_above_their_role_and_members_only_read(api_client, team):
    r = _invite(api_client, team["admin"], "boss@example.com", "owner")
    assert r.status_code == 403 and "above your own" in r.json()["error"]
    assert _invite(api_client, team["owner"], "boss@example.com", "owner").status_code == 201
    member = team["member"]
    r = _invite(api_client, member, "x@example.com")
    assert r.status_code == 403 and r.json()["error"] == "Only owners and admins manage invitations."
    listed = api_client.get("/api/v1/invitations", headers=member.cookie)
    assert listed.status_code == 200 and [i["email"] for i in listed.json()["data"]] == ["boss@example.com"]
    inv_id = listed.json()["data"][0]["id"]
    assert api_client.post(f"/api/v1/invitations/{inv_id}/resend", headers=member.cookie).status_code == 403
    assert api_client.delete(f"/api/v1/invitations/{inv_id}", headers=member.cookie).status_code == 403
    # Admins cannot resend or revoke an owner's invitation either.
    assert api_client.delete(f"/api/v1/invitations/{inv_id}", headers=team["admin"].cookie).status_code == 403


def test_resend_replaces_the_link(api_client, team, smtp):
    email = "resend@example.com"
    inv = _invite(api_client, team["owner"], email).json()["data"]
    drain("notify")
    (first,) = smtp.wait_for(email)
    r = api_client.post(f"/api/v1/invitations/{inv['id']}/resend", headers=team["admin"].cookie)
    assert r.status_code == 200 and r.json()["data"]["sentAt"] >= inv["sentAt"]
    drain("notify")
    first_link, second_link = invite_link(first), invite_link(smtp.wait_for(email, count=2)[1])
    assert token_of(first_link) != token_of(second_link)
    assert _accept(api_client, first_link).headers["location"] == "/login?error=invitation"
    assert _accept(api_client, second_link).headers["location"] == "/dashboard"


def test_revoked_and_expired_links_do_not_work(api_client, db, team, smtp):
    from voiceconsole.models import Invitation
    from voiceconsole.models.types import utcnow

    revoked = _invite(api_client, team["owner"], "revoked@example.com").json()["data"]
    expired = _invite(api_client, team["owner"], "expired@example.com").json()["data"]
    drain("notify")
    revoked_link = invite_link(smtp.wait_for("revoked@example.com")[0])
    expired_link = invite_link(smtp.wait_for("expired@example.com")[0])
    r = api_client.delete(f"/api/v1/invitations/{revoked['id']}", headers=team["admin"].cookie)
    assert r.status_code == 200 and r.json()["data"]["id"] == revoked["id"]
    assert api_client.delete(f"/api/v1/invitations/{revoked['id']}", headers=team["admin"].cookie).status_code == 404
    assert _accept(api_client, revoked_link).headers["location"] == "/login?error=invitation"

    row = db.exec(select(Invitation).where(Invitation.public_id == expired["id"])).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.commit()
    listed = api_client.get("/api/v1/invitations", headers=team["owner"].cookie).json()["data"]
    assert [(i["email"], i["expired"]) for i in listed] == [("expired@example.com", True)]
    assert _accept(api_client, expired_link).headers["location"] == "/login?error=invitation"
    # Resending gives it another 24 hours.
    assert (
        api_client.post(f"/api/v1/invitations/{expired['id']}/resend", headers=team["owner"].cookie).status_code == 200
    )
    drain("notify")
    fresh = invite_link(smtp.wait_for("expired@example.com", count=2)[1])
    assert _accept(api_client, fresh).headers["location"] == "/dashboard"


def test_an_invitee_with_an_account_joins_a_second_organization(api_client, factory, db, team, smtp):
    from voiceconsole.models import Membership, User

    elsewhere = factory.org(name="Elsewhere Agency")
    existing = person(factory, elsewhere, role="owner", email="known@example.com")
    assert _invite(api_client, team["owner"], "known@example.com", "admin").status_code == 201
    drain("notify")
    r = _accept(api_client, invite_link(smtp.wait_for("known@example.com")[0]))
    me = api_client.get("/api/auth/me", headers=_session_cookie(r)).json()["data"]
    assert me["organization"]["slug"] == team["org"].slug and me["role"] == "admin"
    assert db.exec(select(func.count()).select_from(User).where(User.email == "known@example.com")).one() == 1
    roles = db.exec(select(Membership.role).where(Membership.user_id == existing.user_id)).all()
    assert sorted(roles) == ["admin", "owner"]
    # Their session in the first organization is untouched.
    assert (
        api_client.get("/api/auth/me", headers=existing.cookie).json()["data"]["organization"]["slug"] == elsewhere.slug
    )


def test_another_organizations_invitation_is_404(api_client, factory, team):
    inv = _invite(api_client, team["owner"], "x@example.com").json()["data"]
    stranger = person(factory, factory.org(), role="owner")
    assert api_client.post(f"/api/v1/invitations/{inv['id']}/resend", headers=stranger.cookie).status_code == 404
    assert api_client.delete(f"/api/v1/invitations/{inv['id']}", headers=stranger.cookie).status_code == 404
    assert api_client.get("/api/v1/invitations", headers=stranger.cookie).json()["data"] == []


def test_without_smtp_the_link_is_printed_to_the_log(api_client, team, caplog, capsys):
    with caplog.at_level(logging.INFO):
        assert _invite(api_client, team["owner"], "console@example.com").status_code == 201
    out = capsys.readouterr().out
    assert INVITE_LINK_RE.search(out) and "console@example.com" in out
    # The log says a link was sent, its token masked (services/logs.py): logs are read by more people than
    # the console of the developer who runs without SMTP.
    logged = [r.getMessage() for r in caplog.records if "/api/invitations/accept?token=" in r.getMessage()]
    assert logged and all(not INVITE_LINK_RE.search(m) and "token=***" in m for m in logged)
