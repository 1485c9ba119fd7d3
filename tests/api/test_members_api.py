"""Members: listing, roles, removal, ownership, and what a member's sessions and API keys may do afterwards."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.support.http import bearer
from tests.support.llm_server import drain
from tests.support.team import key_of, person

LAST_OWNER = "An organization needs at least one owner: make someone else an owner first."


@pytest.fixture
def team(factory):
    org = factory.org()
    client = factory.client(org, "Bright Smile")
    return {
        "org": org,
        "client": client,
        "owner": person(factory, org, role="owner"),
        "admin": person(factory, org, role="admin"),
        "member": person(factory, org, role="member"),
        "viewer": person(factory, org, role="client_viewer", client=client),
    }


def _member(api_client, who, member_id):
    listed = api_client.get("/api/v1/members", headers=who.cookie).json()["data"]
    return next(m for m in listed if m["id"] == member_id)


def test_list_members_shape_and_who_may_see_it(api_client, team):
    r = api_client.get("/api/v1/members", headers=team["owner"].cookie)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["meta"] == {"page": 1, "perPage": 20, "total": 4}
    assert [m["role"] for m in body["data"]] == ["owner", "admin", "member", "client_viewer"]
    viewer = body["data"][3]
    assert set(viewer) == {"id", "email", "name", "role", "clientId", "joinedAt"}
    assert viewer["id"].startswith("mem_") and viewer["clientId"] == team["client"].public_id
    assert viewer["email"] == team["viewer"].email and viewer["joinedAt"].endswith("Z")
    # Members see the team (read-only); client viewers never do.
    assert api_client.get("/api/members", headers=team["member"].cookie).status_code == 200
    r = api_client.get("/api/v1/members", headers=team["viewer"].cookie)
    assert r.status_code == 403 and "Client viewers" in r.json()["error"]


def test_admin_changes_roles_but_never_touches_owners(api_client, team):
    admin, member, owner = team["admin"], team["member"], team["owner"]
    r = api_client.patch(f"/api/v1/members/{member.member_id}", json={"role": "admin"}, headers=admin.cookie)
    assert r.status_code == 200 and r.json()["data"]["role"] == "admin"
    r = api_client.patch(f"/api/v1/members/{member.member_id}", json={"role": "owner"}, headers=admin.cookie)
    assert r.status_code == 403 and r.json()["error"] == "Only owners manage ownership."
    r = api_client.patch(f"/api/v1/members/{owner.member_id}", json={"role": "member"}, headers=admin.cookie)
    assert r.status_code == 403
    r = api_client.delete(f"/api/v1/members/{owner.member_id}", headers=admin.cookie)
    assert r.status_code == 403
    assert _member(api_client, owner, owner.member_id)["role"] == "owner"


def test_members_and_viewers_cannot_change_the_team(api_client, team):
    for who in (team["member"], team["viewer"]):
        r = api_client.patch(f"/api/v1/members/{team['admin'].member_id}", json={"role": "member"}, headers=who.cookie)
        assert r.status_code == 403, r.text
        r = api_client.delete(f"/api/v1/members/{team['admin'].member_id}", headers=who.cookie)
        assert r.status_code == 403, r.text


def test_client_viewer_role_needs_a_client_of_this_organization(api_client, factory, team):
    owner, member = team["owner"], team["member"]
    path = f"/api/v1/members/{member.member_id}"
    r = api_client.patch(path, json={"role": "client_viewer"}, headers=owner.cookie)
    assert r.status_code == 422 and r.json()["details"] == [
        {"field": "clientId", "message": "Choose the client this viewer may see"}
    ]
    foreign = factory.client(factory.org())
    r = api_client.patch(path, json={"role": "client_viewer", "clientId": foreign.public_id}, headers=owner.cookie)
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "clientId"
    r = api_client.patch(path, json={"role": "boss"}, headers=owner.cookie)
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "role"
    r = api_client.patch(path, json={"role": "member", "extra": 1}, headers=owner.cookie)
    assert r.status_code == 422
    r = api_client.patch(
        path, json={"role": "client_viewer", "clientId": team["client"].public_id}, headers=owner.cookie
    )
    assert r.status_code == 200 and r.json()["data"]["clientId"] == team["client"].public_id
    # Now a client viewer: the member's own session sees the team no more.
    assert api_client.get("/api/v1/members", headers=member.cookie).status_code == 403


def test_the_last_owner_cannot_be_demoted_removed_or_leave(api_client, factory, team):
    owner = team["owner"]
    path = f"/api/v1/members/{owner.member_id}"
    for r in (
        api_client.patch(path, json={"role": "admin"}, headers=owner.cookie),
        api_client.delete(path, headers=owner.cookie),
    ):
        assert r.status_code == 409, r.text
        assert r.json()["error"] == LAST_OWNER
    # With a second owner, the first may step down.
    second = team["admin"]
    r = api_client.patch(f"/api/v1/members/{second.member_id}", json={"role": "owner"}, headers=owner.cookie)
    assert r.status_code == 200
    r = api_client.patch(path, json={"role": "admin"}, headers=owner.cookie)
    assert r.status_code == 200 and r.json()["data"]["role"] == "admin"


def test_another_organizations_member_is_404(api_client, factory, team):
    other = factory.org()
    stranger = person(factory, other, role="member")
    for who, member_id in (
        (team["owner"], stranger.member_id),
        (person(factory, other, role="owner"), team["member"].member_id),
    ):
        assert (
            api_client.patch(f"/api/v1/members/{member_id}", json={"role": "admin"}, headers=who.cookie).status_code
            == 404
        )
        assert api_client.delete(f"/api/v1/members/{member_id}", headers=who.cookie).status_code == 404
        r = api_client.post(f"/api/v1/members/{member_id}/transfer-ownership", headers=who.cookie)
        assert r.status_code == 404
    assert api_client.delete("/api/v1/members/mem_nope", headers=team["owner"].cookie).status_code == 404


def test_removal_revokes_sessions_and_keys_on_the_next_request(api_client, factory, db, team):
    from voiceconsole.models import ApiKey, AuditLog

    org, admin = team["org"], team["admin"]
    key = key_of(factory, org, admin)
    assert api_client.get("/api/v1/api-keys", headers=bearer(key)).status_code == 200  # remembered by this process
    assert api_client.get("/api/calls", headers=admin.cookie).status_code == 200
    r = api_client.delete(f"/api/v1/members/{admin.member_id}", headers=team["owner"].cookie)
    assert r.status_code == 200 and r.json()["data"] == {"id": admin.member_id, "removed": True}
    assert api_client.get("/api/calls", headers=admin.cookie).status_code == 401
    assert api_client.get("/api/calls", headers=bearer(key)).status_code == 401
    assert db.exec(select(ApiKey).where(ApiKey.created_by_user_id == admin.user_id)).one().revoked_at is not None
    ids = [m["id"] for m in api_client.get("/api/v1/members", headers=team["owner"].cookie).json()["data"]]
    assert admin.member_id not in ids
    audit = db.exec(
        select(AuditLog).where(AuditLog.organization_id == org.id, AuditLog.action == "member.removed")
    ).one()
    assert audit.target_id == admin.member_id and audit.details["revokedKeys"] == 1


def test_a_member_may_leave(api_client, team):
    member = team["member"]
    assert api_client.delete(f"/api/v1/members/{member.member_id}", headers=member.cookie).status_code == 200
    assert api_client.get("/api/calls", headers=member.cookie).status_code == 401


def test_lowered_role_lowers_the_members_keys_on_the_next_request(api_client, factory, team):
    org, admin = team["org"], team["admin"]
    key = key_of(factory, org, admin)
    assert api_client.get("/api/v1/api-keys", headers=bearer(key)).status_code == 200
    assert api_client.get("/api/auth/me", headers=bearer(key)).json()["data"]["role"] == "admin"
    r = api_client.patch(f"/api/v1/members/{admin.member_id}", json={"role": "member"}, headers=team["owner"].cookie)
    assert r.status_code == 200
    r = api_client.get("/api/v1/api-keys", headers=bearer(key))
    assert r.status_code == 403, r.text
    assert api_client.get("/api/auth/me", headers=bearer(key)).json()["data"]["role"] == "member"
    assert api_client.get("/api/calls", headers=bearer(key)).status_code == 200  # still a valid key
    # Raised again: the key's own role (admin) is the ceiling, never the creator's new owner role.
    r = api_client.patch(f"/api/v1/members/{admin.member_id}", json={"role": "owner"}, headers=team["owner"].cookie)
    assert r.status_code == 200
    assert api_client.get("/api/auth/me", headers=bearer(key)).json()["data"]["role"] == "admin"


def test_a_key_of_a_member_demoted_to_client_viewer_sees_only_that_client(api_client, factory, team):
    org, admin, client = team["org"], team["admin"], team["client"]
    mine = factory.agent(org, client=client)
    theirs = factory.agent(org)
    own_call, other_call = factory.call(org, mine), factory.call(org, theirs)
    key = key_of(factory, org, admin)
    assert api_client.get("/api/calls", headers=bearer(key)).json()["meta"]["total"] == 2
    r = api_client.patch(
        f"/api/v1/members/{admin.member_id}",
        json={"role": "client_viewer", "clientId": client.public_id},
        headers=team["owner"].cookie,
    )
    assert r.status_code == 200
    listed = api_client.get("/api/calls", headers=bearer(key)).json()["data"]
    assert [c["id"] for c in listed] == [own_call.public_id]
    assert api_client.get(f"/api/calls/{other_call.public_id}", headers=bearer(key)).status_code == 404
    assert (
        api_client.post(f"/api/calls/{own_call.public_id}/notes", json={"body": "x"}, headers=bearer(key)).status_code
        == 403
    )


def test_keys_without_a_creator_keep_their_own_role(api_client, factory, team):
    key = factory.api_key(team["org"], role="admin")  # made by the command line: no creator
    assert api_client.get("/api/auth/me", headers=bearer(key)).json()["data"]["role"] == "admin"
    assert api_client.get("/api/v1/api-keys", headers=bearer(key)).status_code == 200


def test_transfer_ownership(api_client, db, team):
    from voiceconsole.models import AuditLog

    owner, member = team["owner"], team["member"]
    r = api_client.post(f"/api/v1/members/{member.member_id}/transfer-ownership", headers=team["admin"].cookie)
    assert r.status_code == 403
    r = api_client.post(f"/api/v1/members/{owner.member_id}/transfer-ownership", headers=owner.cookie)
    assert r.status_code == 409
    r = api_client.post(f"/api/v1/members/{member.member_id}/transfer-ownership", headers=owner.cookie)
    assert r.status_code == 200 and r.json()["data"]["role"] == "owner"
    assert _member(api_client, member, owner.member_id)["role"] == "admin"
    # The new owner has what owners have; the old one does not any more.
    r = api_client.post(f"/api/v1/members/{owner.member_id}/transfer-ownership", headers=owner.cookie)
    assert r.status_code == 403
    actions = db.exec(select(AuditLog.action).where(AuditLog.organization_id == team["org"].id)).all()
    assert "organization.ownership_transferred" in actions


def test_role_changes_and_removals_are_emailed(api_client, team, notify_settings, mailbox, no_jobs_left_behind):
    member, admin = team["member"], team["admin"]
    r = api_client.patch(f"/api/v1/members/{member.member_id}", json={"role": "admin"}, headers=team["owner"].cookie)
    assert r.status_code == 200
    assert api_client.delete(f"/api/v1/members/{admin.member_id}", headers=team["owner"].cookie).status_code == 200
    drain("notify")
    (changed,) = mailbox.wait_for(member.email, subject="Your role in")
    assert "is now Admin" in changed["Subject"]
    assert "from Member to Admin" in changed.get_body(preferencelist=("plain",)).get_content()
    (removed,) = mailbox.wait_for(admin.email, subject="You were removed")
    assert team["org"].name in removed["Subject"]
