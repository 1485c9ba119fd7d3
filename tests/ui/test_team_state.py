"""Settings → Team and the organization switcher, as UI states (no browser)."""

from __future__ import annotations

from tests.support.team import person
from tests.support.ui import make_state, redirect_path
from voiceconsole.services.accounts import LAST_OWNER
from voiceconsole.ui.state.auth import AuthState
from voiceconsole.ui.state.team import TeamState


def test_invite_refusals_keep_what_was_typed(factory):
    org = factory.org()
    owner = person(factory, org, role="owner")
    state = make_state(TeamState, token=owner.token, path="/settings/team")
    state.load()
    assert state.can_manage_team and state.is_owner and [m["role"] for m in state.members] == ["owner"]

    state.set_invite_email("not an email")
    state.invite({"email": "not an email"})
    assert state.invite_error == "Enter a valid email address" and state.invite_email == "not an email"

    state.set_invite_role("client_viewer")
    state.invite({"email": "viewer@example.com"})
    assert state.invite_error == "Choose the client this viewer may see"
    assert state.invite_email == "viewer@example.com" and state.invite_role == "client_viewer"

    state.set_invite_role("member")
    state.invite({"email": "viewer@example.com"})
    assert state.invite_error == "" and state.invite_email == ""
    assert [i["email"] for i in state.invitations] == ["viewer@example.com"]
    state.invite({"email": "viewer@example.com"})
    assert "already has a pending invitation" in state.invite_error and state.invite_email == "viewer@example.com"


def test_last_owner_refusal_is_shown(factory):
    org = factory.org()
    owner = person(factory, org, role="owner")
    state = make_state(TeamState, token=owner.token, path="/settings/team")
    state.load()
    state.change_role(owner.member_id, owner.email, "admin")
    assert state.error == LAST_OWNER
    assert state.members[0]["role"] == "owner"


def test_members_see_the_team_read_only_and_viewers_not_at_all(factory):
    org = factory.org()
    person(factory, org, role="owner")
    member = person(factory, org, role="member")
    state = make_state(TeamState, token=member.token, path="/settings/team")
    state.load()
    assert len(state.members) == 2 and not state.can_manage_team and state.error == ""
    state.change_role(member.member_id, member.email, "admin")
    assert state.error == "Only owners and admins manage members."

    viewer = person(factory, org, role="client_viewer", client=factory.client(org))
    state = make_state(TeamState, token=viewer.token, path="/settings/team")
    assert redirect_path(state.require_staff()) == "/dashboard"
    state.load()
    assert state.members == [] and "Client viewers" in state.error


def test_switching_organizations(factory):
    first, second = factory.org(name="Alpha Agency"), factory.org(name="Beta Agency")
    me = person(factory, first, role="owner", email="two-hats@example.com")
    person(factory, second, role="member", email="two-hats@example.com")
    auth = make_state(AuthState, token=me.token)
    auth.require_login()
    assert auth.org_name == "Alpha Agency" and auth.org_slug == first.slug
    assert [o["name"] for o in auth.organizations] == ["Alpha Agency", "Beta Agency"]

    assert redirect_path(auth.switch_organization(second.slug)) == "/dashboard"
    auth.require_login()
    assert auth.org_name == "Beta Agency" and auth.role == "member"
    # Not one of mine: nothing changes.
    stranger = factory.org()
    assert redirect_path(auth.switch_organization(stranger.slug)) == "/login"
    auth.require_login()
    assert auth.org_name == "Beta Agency"
