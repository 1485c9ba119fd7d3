"""Signing in with Google or an OpenID Connect provider, once the provider's answer has been verified (the
ID token's signature, issuer, audience, expiry and nonce: api/routes/oidc.py through Authlib).

Who may sign in this way:
- the provider must say the email address is verified (`email_verified: true`); otherwise refused, since
  anyone can put any address on an unverified account;
- an existing user is matched by that email and signed in to their organization, as a magic link would;
- a new email gets an account only with a pending invitation (Settings → Team), which this accepts; without
  one the sign-in is refused with "ask your agency to invite you". Nobody joins an organization because of
  their email's domain, and no new organization is created here (a new agency signs up with an email link).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from voiceconsole.models import Invitation, Membership, Organization, User
from voiceconsole.models.types import pk, utcnow
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.accounts.login import LoginResult, start_session
from voiceconsole.services.accounts.organizations import get_or_create_user, normalise_email
from voiceconsole.services.errors import DomainError, ValidationFailed


class SignInRefused(DomainError):
    """The provider vouched for someone we will not sign in; `reason` names why, for the login page."""

    status_code = 403

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason  # "unverified_email" | "no_account"


UNVERIFIED = (
    "Your {provider} account's email address is not verified. Verify it with {provider}, or sign in with an email link."
)
NO_ACCOUNT = (
    "There is no VoiceConsole account for {email}. Ask your agency to invite you, or sign in with an email "
    "link to start a new agency."
)


@dataclass
class ProviderIdentity:
    """What the provider's verified ID token (and user info) says about the person."""

    provider: str  # "google" | "oidc": the session's sign-in method
    label: str  # the provider's name for people ("Google", the configured OIDC name)
    subject: str
    email: str | None
    email_verified: bool
    name: str | None = None


def email_is_verified(claim: object) -> bool:
    """`email_verified` as providers send it: a JSON boolean, or (some) the string "true"."""
    return claim is True or (isinstance(claim, str) and claim.strip().lower() == "true")


def sign_in_with_provider(
    session: Session, *, identity: ProviderIdentity, ip: str | None = None, user_agent: str | None = None
) -> LoginResult:
    """Sign the person in (see the module's rules) and return the new session. Raises SignInRefused."""
    if not identity.email or not identity.email_verified:
        raise SignInRefused("unverified_email", UNVERIFIED.format(provider=identity.label))
    try:
        email = normalise_email(identity.email)
    except ValidationFailed:
        raise SignInRefused("unverified_email", UNVERIFIED.format(provider=identity.label)) from None
    user = session.exec(select(User).where(User.email == email)).first()
    membership = None
    if user is not None:
        membership = session.exec(
            select(Membership).where(col(Membership.user_id) == user.id).order_by(col(Membership.id))
        ).first()
    if membership is None:
        membership = _accept_pending_invitation(session, email=email, name=identity.name, provider=identity.provider)
        if membership is None:
            raise SignInRefused("no_account", NO_ACCOUNT.format(email=email))
        user = session.get_one(User, membership.user_id)
    assert user is not None  # a membership was found for this user, or one was just made
    if identity.name and not user.name:
        user.name = identity.name[:200]
    org = session.get_one(Organization, membership.organization_id)
    raw = start_session(session, user=user, org=org, method=identity.provider, ip=ip, user_agent=user_agent)
    return LoginResult(session_token=raw, user=user, organization=org)


def _accept_pending_invitation(session: Session, *, email: str, name: str | None, provider: str) -> Membership | None:
    """The newest pending, unexpired invitation for `email`, accepted: the user (created if new) becomes a
    member with the invited role. None when there is no such invitation."""
    now = utcnow()
    invitations = session.exec(
        select(Invitation)
        .where(
            col(Invitation.email) == email,
            col(Invitation.accepted_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) > now,
        )
        .order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
    ).all()
    for inv in invitations:
        claimed = session.exec(  # single use, as the invitation link: one concurrent sign-in claims it
            update(Invitation)
            .where(col(Invitation.id) == inv.id, col(Invitation.accepted_at).is_(None))
            .values(accepted_at=now)
        ).rowcount
        if claimed != 1:
            continue
        user = get_or_create_user(session, email=email, name=name)
        membership = session.exec(
            select(Membership).where(Membership.user_id == user.id, Membership.organization_id == inv.organization_id)
        ).first()
        if membership is None:
            membership = Membership(
                user_id=pk(user), organization_id=inv.organization_id, role=inv.role, client_id=inv.client_id
            )
            session.add(membership)
            session.flush()
        audit.record(
            session,
            organization_id=inv.organization_id,
            actor=Actor("user", str(user.id), user.email, role=inv.role, user_id=user.id),
            action="invitation.accepted",
            target_type="member",
            target_id=membership.public_id,
            details={"email": email, "role": membership.role, "invitation": inv.public_id, "via": provider},
        )
        return membership
    return None
