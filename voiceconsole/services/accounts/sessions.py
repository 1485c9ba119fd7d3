"""A person's own browser sessions (Settings → Security, `/api/v1/sessions`): where they are signed in, and
signing out one of them or all of them.

Sessions belong to a person, not to an organization: the list shows every active session of the signed-in
user, whichever organization it has open. Each revocation is recorded in the audit log of the organization
the revoked session had open, as `session.revoked`.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from voiceconsole.models import UserSession
from voiceconsole.models.types import utcnow
from voiceconsole.schemas import SessionOut, SessionsRevoked
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.devices import describe_device
from voiceconsole.services.access.permissions import require
from voiceconsole.services.errors import Forbidden, NotFound

NOT_A_PERSON = "Sessions belong to people signed in with a browser; an API key has none."


def _user_id(actor: Actor, action: str = "account.read") -> int:
    if actor.kind != "user" or actor.user_id is None:
        raise Forbidden(NOT_A_PERSON)
    require(actor, action)
    return actor.user_id


def _active(user_id: int):
    return select(UserSession).where(
        col(UserSession.user_id) == user_id,
        col(UserSession.revoked_at).is_(None),
        col(UserSession.expires_at) > utcnow(),
    )


def session_out(row: UserSession, *, current_id: str | None) -> SessionOut:
    return SessionOut(
        id=row.public_id,
        device=describe_device(row.user_agent),
        ip=row.ip,
        method=row.method,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        current=row.public_id == current_id,
    )


def current_session_id(actor: Actor) -> str | None:
    """The public id of the session the actor acts through (None for API keys, jobs, the command line)."""
    return actor.extra.get("session_id")


def list_sessions(session: Session, *, actor: Actor) -> list[SessionOut]:
    """The actor's active sessions, this browser's first, then the most recently seen."""
    rows = session.exec(_active(_user_id(actor))).all()
    out = [session_out(r, current_id=current_session_id(actor)) for r in rows]
    out.sort(key=lambda s: (not s.current, -(s.last_seen_at or s.created_at).timestamp()))
    return out


def _revoke(session: Session, row: UserSession, actor: Actor, *, reason: str) -> None:
    row.revoked_at = utcnow()
    session.add(row)
    audit.record(
        session,
        organization_id=row.organization_id,
        actor=actor,
        action="session.revoked",
        target_type="session",
        target_id=row.public_id,
        details={"device": describe_device(row.user_agent), "ip": row.ip, "reason": reason},
    )


def revoke_session(session: Session, *, actor: Actor, session_id: str) -> SessionOut:
    """Sign one of the actor's own sessions out (another person's is a 404, as if it did not exist)."""
    row = session.exec(
        _active(_user_id(actor, "account.manage")).where(col(UserSession.public_id) == session_id)
    ).first()
    if row is None:
        raise NotFound("Session not found")
    _revoke(session, row, actor, reason="signed_out")
    session.flush()
    return session_out(row, current_id=current_session_id(actor))


def revoke_all_sessions(session: Session, *, actor: Actor, keep_current: bool = True) -> SessionsRevoked:
    """Sign out everywhere: every active session of the actor but this browser's (`keep_current`), or all."""
    current_id = current_session_id(actor)
    rows = session.exec(_active(_user_id(actor, "account.manage"))).all()
    revoked = 0
    current_revoked = False
    for row in rows:
        if keep_current and row.public_id == current_id:
            continue
        _revoke(session, row, actor, reason="signed_out_everywhere")
        revoked += 1
        current_revoked = current_revoked or row.public_id == current_id
    session.flush()
    return SessionsRevoked(revoked=revoked, current_revoked=current_revoked)
