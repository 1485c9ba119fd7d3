"""The team: members with browser sessions and the API keys they create, invitation links from emails."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

INVITE_LINK_RE = re.compile(r"https?://\S+/api/invitations/accept\?token=[A-Za-z0-9_\-]+")
ORIGIN = {"Origin": "http://testserver"}


@dataclass
class Person:
    user_id: int
    email: str
    token: str  # raw cp_session
    member_id: str  # mem_…

    @property
    def cookie(self) -> dict[str, str]:
        """Headers of this person's browser: the session cookie and our own origin (writes need it)."""
        return {"Cookie": f"cp_session={self.token}", **ORIGIN}


def person(factory, org, *, role: str = "member", client=None, email: str | None = None) -> Person:
    """A member of `org` with a live browser session there."""
    from sqlmodel import select

    from voiceconsole.models import Membership

    user, token = factory.user_session(
        org, role=role, client=client, email=email or f"p{secrets.token_hex(4)}@example.com"
    )
    membership = factory.s.exec(
        select(Membership).where(Membership.user_id == user.id, Membership.organization_id == org.id)
    ).one()
    return Person(user_id=user.id, email=user.email, token=token, member_id=membership.public_id)


def key_of(factory, org, who: Person, *, role: str | None = None) -> str:
    """An API key created by `who` (it acts as them, never above their current role)."""
    from sqlmodel import select

    from voiceconsole.models import Membership
    from voiceconsole.services import api_keys
    from voiceconsole.services.access.actor import Actor

    membership = factory.s.exec(
        select(Membership).where(Membership.user_id == who.user_id, Membership.organization_id == org.id)
    ).one()
    actor = Actor("user", str(who.user_id), who.email, role=membership.role, user_id=who.user_id)
    created = api_keys.create_api_key(factory.s, org=org, name="mine", role=role, actor=actor)
    factory.s.commit()
    return created.key


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def invite_link(message) -> str:
    """The invitation link in an email caught by the test mailbox."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    found = INVITE_LINK_RE.search(body)
    assert found, body
    return found.group(0)
