"""The team's rules called directly: the permissions table, ownership, client deletion, concurrent links."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.support.team import person, token_of
from voiceconsole.services import accounts
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import PERMISSIONS, ROLE_RANK, can, require
from voiceconsole.services.errors import Conflict, Forbidden, InvalidToken


def _actor(who, role: str, client_id: int | None = None) -> Actor:
    return Actor("user", str(who.user_id), who.email, role=role, user_id=who.user_id, client_id=client_id)


def test_the_permissions_table():
    assert all(roles <= set(ROLE_RANK) and roles for roles in PERMISSIONS.values())
    # Higher roles may do everything lower roles may (owners everything).
    for roles in PERMISSIONS.values():
        lowest = min(ROLE_RANK[r] for r in roles)
        assert roles == {r for r, rank in ROLE_RANK.items() if rank >= lowest}
    assert {a for a, roles in PERMISSIONS.items() if roles == {"owner"}} == {"ownership.manage", "billing.manage"}
    viewer = Actor("user", "1", "v@example.com", role="client_viewer", client_id=7)
    assert can(viewer, "calls.read") and not can(viewer, "calls.annotate") and not can(viewer, "team.read")
    # An actor scoped to a client is a client viewer whatever role it carries.
    assert not can(Actor("api_key", "k", "k", role="owner", client_id=7), "clients.manage")
    with pytest.raises(KeyError):
        can(viewer, "calls.delete")  # an action nobody declared never grants
    with pytest.raises(Forbidden, match="Only owners manage billing"):
        require(Actor("user", "1", "a@example.com", role="admin"), "billing.manage")


def test_deleting_a_client_removes_its_viewers_and_invitations(factory, db):
    from voiceconsole.models import Invitation, Membership
    from voiceconsole.services import clients

    org = factory.org()
    client = factory.client(org)
    owner = person(factory, org, role="owner")
    viewer = person(factory, org, role="client_viewer", client=client)
    accounts.create_invitation(
        db,
        org=org,
        email="later@example.com",
        role="client_viewer",
        client_id=client.public_id,
        actor=_actor(owner, "owner"),
    )
    db.commit()
    clients.delete_client(db, org=org, client_id=client.public_id, actor=_actor(owner, "owner"))
    db.commit()
    assert db.exec(select(Membership).where(Membership.user_id == viewer.user_id)).all() == []
    assert db.exec(select(Invitation).where(Invitation.organization_id == org.id)).all() == []
    assert accounts.resolve_session(db, token=viewer.token) is None


def test_an_invitation_link_is_used_once_even_when_raced(factory, db, notify_settings, mailbox, no_jobs_left_behind):
    from tests.support.receivers import parts
    from tests.support.simulator import run_jobs

    org = factory.org()
    owner = person(factory, org, role="owner")
    accounts.create_invitation(db, org=org, email="once@example.com", role="member", actor=_actor(owner, "owner"))
    db.commit()
    run_jobs("notify")  # the email job, sent to the test's SMTP server
    (message,) = mailbox.wait_for("once@example.com", subject="You are invited")  # the real email, over SMTP
    token = token_of(parts(message)["text/plain"].split("sign in: ")[1].split()[0])
    accepted = accounts.accept_invitation(db, token=token)
    db.commit()
    assert accepted.membership.role == "member" and accepted.organization.id == org.id
    with pytest.raises(InvalidToken):
        accounts.accept_invitation(db, token=token)
    db.rollback()


def test_an_admin_cannot_transfer_ownership_and_the_owner_keeps_one(factory, db):
    org = factory.org()
    owner, admin = person(factory, org, role="owner"), person(factory, org, role="admin")
    with pytest.raises(Forbidden):
        accounts.transfer_ownership(db, org=org, member_id=owner.member_id, actor=_actor(admin, "admin"))
    with pytest.raises(Conflict):
        accounts.remove_member(db, org=org, member_id=owner.member_id, actor=_actor(owner, "owner"))
    db.rollback()
    accounts.transfer_ownership(db, org=org, member_id=admin.member_id, actor=_actor(owner, "owner"))
    db.commit()
    roles = {m.email: m.role for m in accounts.list_members(db, org=org, actor=_actor(owner, "admin"))}
    assert roles == {owner.email: "admin", admin.email: "owner"}
