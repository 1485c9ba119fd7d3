"""The team: members of an organization, pending invitations, and the organizations a person belongs to."""

from __future__ import annotations

from datetime import datetime

from voiceconsole.schemas.base import PublicModel


class MemberOut(PublicModel):
    id: str  # mem_…
    email: str
    name: str | None
    role: str  # owner | admin | member | client_viewer
    client_id: str | None  # cli_…, for a client viewer
    joined_at: datetime


class InvitationOut(PublicModel):
    id: str  # inv_…
    email: str
    role: str
    client_id: str | None
    invited_by: str | None  # the inviter's email
    created_at: datetime
    sent_at: datetime
    expires_at: datetime
    expired: bool  # the link no longer works: resend it


class MemberRemoved(PublicModel):
    id: str
    removed: bool = True


class MyOrganization(PublicModel):
    """An organization the signed-in person belongs to (the switcher's entries)."""

    slug: str
    name: str
    role: str
    current: bool
