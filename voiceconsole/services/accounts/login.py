"""Signing in: single-use magic links, browser sessions, signing out."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from voiceconsole import enqueue
from voiceconsole.db import after_commit
from voiceconsole.models import MagicLink, Membership, Organization, User, UserSession
from voiceconsole.models.types import pk, utcnow
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.accounts.organizations import (
    create_organization,
    ensure_membership,
    get_or_create_user,
    normalise_email,
)
from voiceconsole.services.errors import InvalidToken
from voiceconsole.services.security import new_token, sha256_hex
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)

MAGIC_LINK_TTL = timedelta(minutes=15)
FIRST_LINK_TTL = timedelta(hours=24)  # a new account's first link
SESSION_TTL = timedelta(days=7)
LAST_SEEN_RESOLUTION = timedelta(minutes=5)  # a session's last_seen_at is at most this stale


def magic_link_url(token: str) -> str:
    return f"{get_settings().base_url}/api/auth/magic?token={token}"


def create_magic_link(session: Session, *, email: str) -> str:
    """Create a single-use login link and return its URL. Only the token's hash is stored."""
    email = normalise_email(email)
    is_new = session.exec(select(User.id).where(User.email == email)).first() is None
    token = new_token()
    session.add(
        MagicLink(
            token_hash=sha256_hex(token),
            email=email,
            expires_at=utcnow() + (FIRST_LINK_TTL if is_new else MAGIC_LINK_TTL),
        )
    )
    session.flush()
    return magic_link_url(token)


def request_login_link(session: Session, *, email: str) -> None:
    """Create a link and deliver it: by email when SMTP is configured, else to the console/log."""
    url = create_magic_link(session, email=email)
    email = normalise_email(email)
    settings = get_settings()
    if settings.smtp_host:  # sent once the link is committed: it must work when it arrives
        after_commit(
            session,
            lambda: enqueue.email(
                to=email,
                subject="Your VoiceConsole login link",
                text=f"Sign in to VoiceConsole: {url}\n\nThe link works once and expires soon.",
            ),
        )
    else:
        # No SMTP configured (embedded default): the console is the mailbox.
        print(f"\n  Login link for {email}: {url}\n", flush=True)
        log.info("login link for %s: %s", email, url)


@dataclass
class LoginResult:
    session_token: str
    user: User
    organization: Organization


def consume_magic_link(
    session: Session, *, token: str, ip: str | None = None, user_agent: str | None = None
) -> LoginResult:
    """Use a magic link once; create the account (user + organization) on first login."""
    now = utcnow()
    token_hash = sha256_hex(token or "")
    link = session.exec(select(MagicLink).where(MagicLink.token_hash == token_hash)).first()
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise InvalidToken("This login link is invalid or has expired. Request a new one.")
    # Atomic single use: only one concurrent request can flip used_at.
    claimed = session.exec(
        update(MagicLink).where(col(MagicLink.id) == link.id, col(MagicLink.used_at).is_(None)).values(used_at=now)
    ).rowcount
    if claimed != 1:
        raise InvalidToken("This login link is invalid or has expired. Request a new one.")
    user = get_or_create_user(session, email=link.email)
    membership = session.exec(
        select(Membership).where(col(Membership.user_id) == user.id).order_by(col(Membership.id))
    ).first()
    if membership is None:
        org = create_organization(session, name=f"{link.email.split('@')[0]}'s agency")
        membership = ensure_membership(session, user=user, org=org, role="owner")
        audit.record(
            session,
            organization_id=pk(org),
            actor=Actor("user", str(user.id), user.email),
            action="organization.created",
            target_type="organization",
            target_id=org.slug,
        )
    org = session.get_one(Organization, membership.organization_id)  # exists: the membership's foreign key
    raw = start_session(session, user=user, org=org, method="magic_link", ip=ip, user_agent=user_agent)
    return LoginResult(session_token=raw, user=user, organization=org)


def start_session(
    session: Session,
    *,
    user: User,
    org: Organization,
    method: str,
    ip: str | None = None,
    user_agent: str | None = None,
) -> str:
    """Sign `user` in to `org`: a new browser session, recorded with how (`method`: magic_link, google, oidc)
    and from where, and in the audit log as `session.created`. Returns the raw `cp_session` token (only its
    hash is stored)."""
    now = utcnow()
    user.last_login_at = now
    session.add(user)
    raw = new_token()
    row = UserSession(
        token_hash=sha256_hex(raw),
        user_id=pk(user),
        organization_id=pk(org),
        expires_at=now + SESSION_TTL,
        method=method,
        ip=ip,
        user_agent=(user_agent or None) and user_agent[:400],
        last_seen_at=now,
    )
    session.add(row)
    actor = Actor("user", str(user.id), user.email, user_id=user.id).at(ip=ip, user_agent=user_agent)
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="session.created",
        target_type="session",
        target_id=row.public_id,
        details={"method": method},
    )
    session.flush()
    return raw


@dataclass
class SessionContext:
    user: User
    organization: Organization
    membership: Membership
    session_id: str = ""  # the browser session's public id (ses_…): "this browser" under Settings → Security

    @property
    def actor(self) -> Actor:
        return Actor(
            kind="user",
            id=str(self.user.id),
            display=self.user.email,
            role=self.membership.role,
            user_id=self.user.id,
            client_id=self.membership.client_id if self.membership.role == "client_viewer" else None,
            extra={"session_id": self.session_id} if self.session_id else {},
        )


def resolve_session(session: Session, *, token: str | None) -> SessionContext | None:
    if not token:
        return None
    row = session.exec(
        select(UserSession, User, Organization, Membership)
        .join(User, col(User.id) == col(UserSession.user_id))
        .join(Organization, col(Organization.id) == col(UserSession.organization_id))
        .join(
            Membership,
            (col(Membership.user_id) == col(User.id)) & (col(Membership.organization_id) == col(Organization.id)),
        )
        .where(UserSession.token_hash == sha256_hex(token))
    ).first()
    if row is None:
        return None
    user_session, user, org, membership = row
    now = utcnow()
    if user_session.revoked_at is not None or user_session.expires_at <= now:
        return None
    if user_session.last_seen_at is None or user_session.last_seen_at <= now - LAST_SEEN_RESOLUTION:
        # Settings → Security's "last seen", written at most every few minutes (the caller commits).
        user_session.last_seen_at = now
        session.add(user_session)
    return SessionContext(user=user, organization=org, membership=membership, session_id=user_session.public_id)


def logout(session: Session, *, token: str | None) -> None:
    if token:
        session.exec(
            update(UserSession).where(col(UserSession.token_hash) == sha256_hex(token)).values(revoked_at=utcnow())
        )
