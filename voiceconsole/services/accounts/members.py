"""Members of an organization: listing them, changing roles, removing them, transferring ownership, and the
organizations a person belongs to (switching between them).

Rules (the roles themselves: `services.access.permissions`):
- Owners and admins manage members; only owners touch owners (make one, demote one, remove one).
- An organization always keeps at least one owner: the last owner cannot be demoted, removed or leave (409).
- Anyone may leave (remove their own membership), except the last owner.
- Removing a member revokes at once their browser sessions in the organization and the API keys they
  created there; changing a role changes what their sessions and keys may do on the next request (the
  membership change bumps the auth epoch that remembered API keys are checked against).
"""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from voiceconsole.models import ApiKey, Client, Membership, Organization, User, UserSession
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas import MemberOut, MemberRemoved, MyOrganization
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import ROLE_RANK, require
from voiceconsole.services.accounts.mail import send_account_email
from voiceconsole.services.billing.seats import SEATLESS_ROLES, require_seat
from voiceconsole.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from voiceconsole.services.security import sha256_hex
from voiceconsole.settings import get_settings

ROLE_NAMES = {"owner": "Owner", "admin": "Admin", "member": "Member", "client_viewer": "Client viewer"}
LAST_OWNER = "An organization needs at least one owner: make someone else an owner first."


def _out(membership: Membership, user: User, client: Client | None) -> MemberOut:
    return MemberOut(
        id=membership.public_id,
        email=user.email,
        name=user.name,
        role=membership.role,
        client_id=client.public_id if client is not None else None,
        joined_at=membership.created_at,
    )


def list_members(session: Session, *, org: Organization, actor: Actor) -> list[MemberOut]:
    """Everyone in the organization, owners first, then by email (client viewers never see the team)."""
    require(actor, "team.read")
    rows = session.exec(
        select(Membership, User, Client)
        .join(User, col(User.id) == col(Membership.user_id))
        .outerjoin(Client, col(Client.id) == col(Membership.client_id))
        .where(Membership.organization_id == org.id)
    ).all()
    ordered = sorted(rows, key=lambda r: (-ROLE_RANK.get(r[0].role, 0), r[1].email))
    return [_out(m, u, c) for m, u, c in ordered]


def _find(session: Session, org: Organization, member_id: str) -> tuple[Membership, User]:
    row = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.organization_id == org.id, Membership.public_id == member_id)
    ).first()
    if row is None:
        raise NotFound("Member not found")
    return row[0], row[1]


def owner_count(session: Session, org_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organization_id == org_id, Membership.role == "owner")
    ).one()


def _keep_an_owner(session: Session, org: Organization, membership: Membership) -> None:
    if membership.role == "owner" and owner_count(session, pk(org)) <= 1:
        raise Conflict(LAST_OWNER, [{"field": "role", "message": LAST_OWNER}])


def client_for(session: Session, org: Organization, role: str, client_id: str | None) -> Client | None:
    """The client a client viewer is scoped to (required for that role, refused for the others)."""
    if role != "client_viewer":
        return None
    if not client_id:
        raise ValidationFailed.field("clientId", "Choose the client this viewer may see")
    client = session.exec(select(Client).where(Client.organization_id == org.id, Client.public_id == client_id)).first()
    if client is None:
        raise ValidationFailed.field("clientId", "No such client")
    return client


def check_role(role: str) -> None:
    if role not in ROLE_RANK:
        raise ValidationFailed.field("role", "Role must be owner, admin, member or client_viewer")


def _may_touch(actor: Actor, role: str) -> None:
    """Only owners give, take away or remove the owner role."""
    if role == "owner":
        require(actor, "ownership.manage")


def change_role(
    session: Session, *, org: Organization, member_id: str, role: str, client_id: str | None = None, actor: Actor
) -> MemberOut:
    """Give a member another role (and, for a client viewer, the client they see)."""
    require(actor, "members.manage")
    check_role(role)
    membership, user = _find(session, org, member_id)
    _may_touch(actor, membership.role)
    _may_touch(actor, role)
    client = client_for(session, org, role, client_id)
    new_client_id = client.id if client is not None else None
    if membership.role == role and membership.client_id == new_client_id:
        return _out(membership, user, client)
    if role != "owner":
        _keep_an_owner(session, org, membership)
    if membership.role in SEATLESS_ROLES:  # a client viewer given a staff role takes a seat
        require_seat(session, org=org, role=role)
    old = membership.role
    membership.role, membership.client_id = role, new_client_id
    session.add(membership)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="member.role_changed",
        target_type="member",
        target_id=membership.public_id,
        details={"email": user.email, "from": old, "to": role},
    )
    if old != role:
        send_account_email(
            session,
            to=user.email,
            subject=f"Your role in {org.name} is now {ROLE_NAMES[role]}",
            text=(
                f"{actor.display} changed your role in {org.name} on VoiceConsole from {ROLE_NAMES.get(old, old)} "
                f"to {ROLE_NAMES[role]}.\n\n{get_settings().pages_url}/dashboard"
            ),
        )
    return _out(membership, user, client)


def revoke_access(session: Session, *, org_id: int, user_id: int) -> int:
    """End a person's access to one organization at once: their sessions there and the API keys they created
    there. Returns how many keys were revoked. (Keys are revoked through the ORM, so the change bumps the auth
    epoch every web process checks remembered keys against.)"""
    now = utcnow()
    session.exec(
        update(UserSession)
        .where(
            col(UserSession.user_id) == user_id,
            col(UserSession.organization_id) == org_id,
            col(UserSession.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )
    keys = session.exec(
        select(ApiKey).where(
            ApiKey.organization_id == org_id, ApiKey.created_by_user_id == user_id, col(ApiKey.revoked_at).is_(None)
        )
    ).all()
    for key in keys:
        key.revoked_at = now
        session.add(key)
    return len(keys)


def remove_member(session: Session, *, org: Organization, member_id: str, actor: Actor) -> MemberRemoved:
    """Remove someone from the organization (or leave it: your own membership). Their sessions here and the
    API keys they created here stop working on their next request."""
    membership, user = _find(session, org, member_id)
    leaving = actor.user_id is not None and actor.user_id == membership.user_id
    if not leaving:
        require(actor, "members.manage")
        _may_touch(actor, membership.role)
    _keep_an_owner(session, org, membership)
    revoked_keys = revoke_access(session, org_id=pk(org), user_id=pk(user))
    session.delete(membership)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="member.left" if leaving else "member.removed",
        target_type="member",
        target_id=membership.public_id,
        details={"email": user.email, "role": membership.role, "revokedKeys": revoked_keys},
    )
    if not leaving:
        send_account_email(
            session,
            to=user.email,
            subject=f"You were removed from {org.name}",
            text=f"{actor.display} removed you from {org.name} on VoiceConsole. You no longer have access to it.",
        )
    return MemberRemoved(id=membership.public_id)


def remove_client_viewers(session: Session, *, org: Organization, client_id: int) -> int:
    """A client is being deleted: its viewers lose their access to the organization (sessions and keys too)."""
    viewers = session.exec(
        select(Membership).where(Membership.organization_id == org.id, Membership.client_id == client_id)
    ).all()
    for membership in viewers:
        revoke_access(session, org_id=pk(org), user_id=membership.user_id)
        session.delete(membership)
    session.flush()
    return len(viewers)


def transfer_ownership(session: Session, *, org: Organization, member_id: str, actor: Actor) -> MemberOut:
    """An owner hands ownership to another member, who becomes an owner; the owner becomes an admin."""
    require(actor, "ownership.manage")
    membership, user = _find(session, org, member_id)
    mine = session.exec(
        select(Membership).where(Membership.organization_id == org.id, Membership.user_id == actor.user_id)
    ).first()
    if mine is None or mine.role != "owner":
        raise Forbidden("Only a member who is an owner can transfer ownership.")
    if mine.id == membership.id:
        raise Conflict("You are already an owner", [{"field": "memberId", "message": "Choose another member"}])
    old = membership.role
    membership.role, membership.client_id = "owner", None
    mine.role = "admin"
    session.add_all([membership, mine])
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="organization.ownership_transferred",
        target_type="member",
        target_id=membership.public_id,
        details={"to": user.email, "from": actor.display, "previousRole": old},
    )
    send_account_email(
        session,
        to=user.email,
        subject=f"You are now an owner of {org.name}",
        text=(
            f"{actor.display} transferred ownership of {org.name} on VoiceConsole to you; they are now an admin."
            f"\n\n{get_settings().pages_url}/settings/team"
        ),
    )
    return _out(membership, user, None)


# --- several organizations ---------------------------------------------------------------------------


def my_organizations(session: Session, *, user_id: int, current_org_id: int | None) -> list[MyOrganization]:
    """The organizations a person belongs to, by name, the session's current one marked."""
    rows = session.exec(
        select(Organization, Membership)
        .join(Membership, col(Membership.organization_id) == col(Organization.id))
        .where(Membership.user_id == user_id)
        .order_by(func.lower(col(Organization.name)), col(Organization.id))
    ).all()
    return [MyOrganization(slug=o.slug, name=o.name, role=m.role, current=o.id == current_org_id) for o, m in rows]


def switch_organization(session: Session, *, token: str | None, slug: str) -> Organization:
    """Make another of the person's organizations the current one of the browser session `token` (NotFound if
    not theirs, or the session is not live)."""
    user_session = session.exec(
        select(UserSession).where(
            UserSession.token_hash == sha256_hex(token or ""),
            col(UserSession.revoked_at).is_(None),
            col(UserSession.expires_at) > utcnow(),
        )
    ).first()
    if user_session is None:
        raise NotFound("Session not found")
    row = session.exec(
        select(Organization)
        .join(Membership, col(Membership.organization_id) == col(Organization.id))
        .where(Membership.user_id == user_session.user_id, Organization.slug == slug)
    ).first()
    if row is None:
        raise NotFound("Organization not found")
    user_session.organization_id = pk(row)
    session.add(user_session)
    session.flush()
    return row
