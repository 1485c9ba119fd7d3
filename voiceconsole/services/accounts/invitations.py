"""Invitations: owners and admins invite someone by email with a role; the invitee's link (24 hours, single use,
only its hash stored) signs them in, creating their user if new, and makes them a member.

- One pending invitation per email and organization (a second is a 409: resend the first); someone who is
  already a member is a 409 too.
- Nobody invites above their own role (admins cannot invite owners); a client viewer needs a client.
- Resending replaces the link (the old one stops working) and gives it another 24 hours; revoking ends it.
- Seats (services/billing/seats.py): inviting anyone but a client viewer, resending an expired invitation
  and accepting one check the plan's seats (403 "Plan limit reached" on the field `role`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from voiceconsole.models import Client, Invitation, Membership, Organization, User
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas import InvitationOut
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import require, require_rank
from voiceconsole.services.accounts.login import start_session
from voiceconsole.services.accounts.mail import send_account_email
from voiceconsole.services.accounts.members import ROLE_NAMES, check_role, client_for
from voiceconsole.services.accounts.organizations import get_or_create_user, normalise_email
from voiceconsole.services.billing.seats import require_seat
from voiceconsole.services.errors import Conflict, InvalidToken, NotFound
from voiceconsole.services.security import new_token, sha256_hex
from voiceconsole.settings import get_settings

INVITATION_TTL = timedelta(hours=24)
INVALID_LINK = "This invitation link is invalid, has expired or was already used. Ask for a new one."


def invitation_url(token: str) -> str:
    return f"{get_settings().base_url}/api/invitations/accept?token={token}"


def _pending(q):
    return q.where(col(Invitation.accepted_at).is_(None), col(Invitation.revoked_at).is_(None))


def _out(inv: Invitation, client: Client | None, inviter: User | None) -> InvitationOut:
    return InvitationOut(
        id=inv.public_id,
        email=inv.email,
        role=inv.role,
        client_id=client.public_id if client is not None else None,
        invited_by=inviter.email if inviter is not None else None,
        created_at=inv.created_at,
        sent_at=inv.sent_at,
        expires_at=inv.expires_at,
        expired=inv.expires_at <= utcnow(),
    )


def list_invitations(session: Session, *, org: Organization, actor: Actor) -> list[InvitationOut]:
    """Pending invitations (not accepted, not revoked; expired ones too, to be resent), newest first."""
    require(actor, "team.read")
    rows = session.exec(
        _pending(
            select(Invitation, Client, User)
            .outerjoin(Client, col(Client.id) == col(Invitation.client_id))
            .outerjoin(User, col(User.id) == col(Invitation.invited_by_user_id))
            .where(Invitation.organization_id == org.id)
        ).order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
    ).all()
    return [_out(i, c, u) for i, c, u in rows]


def _send(session: Session, org: Organization, inv: Invitation, token: str, actor: Actor) -> None:
    role = ROLE_NAMES.get(inv.role, inv.role)
    send_account_email(
        session,
        to=inv.email,
        subject=f"You are invited to {org.name} on VoiceConsole",
        text=(
            f"{actor.display} invited you to join {org.name} on VoiceConsole as {role}.\n\n"
            f"Accept the invitation and sign in: {invitation_url(token)}\n\n"
            "The link works once and expires in 24 hours."
        ),
    )


def create_invitation(
    session: Session, *, org: Organization, email: str, role: str, client_id: str | None = None, actor: Actor
) -> InvitationOut:
    require(actor, "invitations.manage")
    email = normalise_email(email)
    check_role(role)
    require_rank(actor, role, "invite someone")
    client = client_for(session, org, role, client_id)
    member = session.exec(
        select(Membership.id)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.organization_id == org.id, User.email == email)
    ).first()
    if member is not None:
        raise Conflict("Already a member", [{"field": "email", "message": f"{email} is already a member"}])
    pending = session.exec(
        _pending(select(Invitation.id).where(Invitation.organization_id == org.id, Invitation.email == email))
    ).first()
    if pending is not None:
        raise Conflict(
            "Already invited",
            [{"field": "email", "message": f"{email} already has a pending invitation: resend it instead"}],
        )
    require_seat(session, org=org, role=role)
    token = new_token()
    now = utcnow()
    inv = Invitation(
        organization_id=pk(org),
        email=email,
        role=role,
        client_id=client.id if client is not None else None,
        token_hash=sha256_hex(token),
        invited_by_user_id=actor.user_id,
        created_at=now,
        sent_at=now,
        expires_at=now + INVITATION_TTL,
    )
    session.add(inv)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="invitation.created",
        target_type="invitation",
        target_id=inv.public_id,
        details={"email": email, "role": role},
    )
    _send(session, org, inv, token, actor)
    inviter = session.get(User, actor.user_id) if actor.user_id is not None else None
    return _out(inv, client, inviter)


def _find_pending(session: Session, org: Organization, invitation_id: str) -> Invitation:
    inv = session.exec(
        _pending(select(Invitation).where(Invitation.organization_id == org.id, Invitation.public_id == invitation_id))
    ).first()
    if inv is None:
        raise NotFound("Invitation not found")
    return inv


def resend_invitation(session: Session, *, org: Organization, invitation_id: str, actor: Actor) -> InvitationOut:
    """A new link for 24 hours (the previous one stops working), emailed again."""
    require(actor, "invitations.manage")
    inv = _find_pending(session, org, invitation_id)
    require_rank(actor, inv.role, "resend an invitation")
    now = utcnow()
    if inv.expires_at <= now:  # an expired invitation takes a seat again
        require_seat(session, org=org, role=inv.role, except_invitation=inv.id)
    token = new_token()
    inv.token_hash, inv.sent_at, inv.expires_at = sha256_hex(token), now, now + INVITATION_TTL
    session.add(inv)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="invitation.resent",
        target_type="invitation",
        target_id=inv.public_id,
        details={"email": inv.email},
    )
    _send(session, org, inv, token, actor)
    client = session.get(Client, inv.client_id) if inv.client_id is not None else None
    inviter = session.get(User, inv.invited_by_user_id) if inv.invited_by_user_id is not None else None
    return _out(inv, client, inviter)


def revoke_invitation(session: Session, *, org: Organization, invitation_id: str, actor: Actor) -> InvitationOut:
    require(actor, "invitations.manage")
    inv = _find_pending(session, org, invitation_id)
    require_rank(actor, inv.role, "revoke an invitation")
    inv.revoked_at = utcnow()
    session.add(inv)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="invitation.revoked",
        target_type="invitation",
        target_id=inv.public_id,
        details={"email": inv.email},
    )
    client = session.get(Client, inv.client_id) if inv.client_id is not None else None
    inviter = session.get(User, inv.invited_by_user_id) if inv.invited_by_user_id is not None else None
    return _out(inv, client, inviter)


@dataclass
class Accepted:
    session_token: str
    user: User
    organization: Organization
    membership: Membership


def accept_invitation(
    session: Session, *, token: str, ip: str | None = None, user_agent: str | None = None
) -> Accepted:
    """Use an invitation link once: sign the invitee in (creating their user if new), make them a member with
    the invited role (someone already a member keeps their role), and make the organization their session's
    current one. InvalidToken when the link is unknown, expired, revoked or used."""
    now = utcnow()
    inv = session.exec(select(Invitation).where(Invitation.token_hash == sha256_hex(token or ""))).first()
    if inv is None or inv.accepted_at is not None or inv.revoked_at is not None or inv.expires_at <= now:
        raise InvalidToken(INVALID_LINK)
    org = session.get_one(Organization, inv.organization_id)
    already = session.exec(
        select(Membership.id)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.organization_id == org.id, User.email == inv.email)
    ).first()
    if already is None:  # the plan may have shrunk since the invitation was sent (checked before it is used)
        require_seat(session, org=org, role=inv.role, pending=False)
    claimed = session.exec(  # atomic single use: only one concurrent request flips accepted_at
        update(Invitation)
        .where(col(Invitation.id) == inv.id)
        .where(col(Invitation.accepted_at).is_(None), col(Invitation.revoked_at).is_(None))
        .values(accepted_at=now)
    ).rowcount
    if claimed != 1:
        raise InvalidToken(INVALID_LINK)
    user = get_or_create_user(session, email=inv.email)
    membership = session.exec(
        select(Membership).where(Membership.user_id == user.id, Membership.organization_id == org.id)
    ).first()
    actor = Actor("user", str(user.id), user.email, role=inv.role, user_id=user.id)
    if membership is None:
        membership = Membership(user_id=pk(user), organization_id=pk(org), role=inv.role, client_id=inv.client_id)
        session.add(membership)
        session.flush()
    # A session like any other sign-in's: device and address under Settings → Security, `session.created`.
    raw = start_session(session, user=user, org=org, method="invitation", ip=ip, user_agent=user_agent)
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="invitation.accepted",
        target_type="member",
        target_id=membership.public_id,
        details={"email": user.email, "role": membership.role, "invitation": inv.public_id},
    )
    session.flush()
    return Accepted(session_token=raw, user=user, organization=org, membership=membership)
