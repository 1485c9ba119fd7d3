"""Seats: a plan's team seats limit invitations (client viewers take none), accepting one over the limit (the
plan shrank meanwhile) and promoting a client viewer; the 403 names the plan that lifts the limit."""

from __future__ import annotations

import pytest

from tests.support.llm_server import drain
from tests.support.team import invite_link, person

SEATS_HINT = "Free includes 1 team seat. Upgrade to Pro for 5."
PLAN_LIMIT = {"error": "Plan limit reached", "details": [{"field": "role", "message": SEATS_HINT}]}


@pytest.fixture
def smtp(notify_settings, mailbox, no_jobs_left_behind):
    return mailbox


def _invite(api_client, who, email, role="member", **extra):
    return api_client.post("/api/v1/invitations", json={"email": email, "role": role, **extra}, headers=who.cookie)


def test_a_free_owner_cannot_invite_a_member_but_can_invite_a_client_viewer(api_client, factory, smtp):
    org = factory.org(plan="free")
    owner = person(factory, org, role="owner")
    r = _invite(api_client, owner, "colleague@example.com", "member")
    assert r.status_code == 403 and r.json() == PLAN_LIMIT
    client = factory.client(org)
    r = _invite(api_client, owner, "viewer@example.com", "client_viewer", clientId=client.public_id)
    assert r.status_code == 201, r.text


def test_pending_invitations_take_seats(api_client, factory, db, smtp):
    org = factory.org(plan="pro")  # 5 seats
    owner = person(factory, org, role="owner")
    for i in range(4):
        assert _invite(api_client, owner, f"p{i}@example.com").status_code == 201
    r = _invite(api_client, owner, "one-too-many@example.com", "admin")
    assert r.status_code == 403
    assert r.json()["details"] == [
        {"field": "role", "message": "Pro includes 5 team seats. Upgrade to Agency for unlimited."}
    ]


def test_accepting_over_the_limit_is_refused(api_client, factory, db, smtp):
    org = factory.org(plan="pro")
    owner = person(factory, org, role="owner")
    assert _invite(api_client, owner, "late@example.com").status_code == 201
    drain("notify")
    (message,) = smtp.wait_for("late@example.com", subject="You are invited")
    org.plan = "free"  # downgraded before the invitee followed the link
    db.add(org)
    db.commit()
    path = invite_link(message).split("testserver", 1)[1]
    r = api_client.get(path, follow_redirects=False)  # a browser: sent to the login page, which says why
    assert r.status_code == 303 and r.headers["location"] == "/login?error=seats_full"
    assert "cp_session" not in r.headers.get("set-cookie", "")

    org.plan = "pro"  # the link was not used up by the refusal
    db.add(org)
    db.commit()
    r = api_client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"


def test_promoting_a_client_viewer_takes_a_seat(api_client, factory):
    org = factory.org(plan="free")
    owner = person(factory, org, role="owner")
    client = factory.client(org)
    viewer = person(factory, org, role="client_viewer", client=client)
    r = api_client.patch(f"/api/v1/members/{viewer.member_id}", json={"role": "member"}, headers=owner.cookie)
    assert r.status_code == 403 and r.json() == PLAN_LIMIT
