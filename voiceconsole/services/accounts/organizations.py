"""Organizations (agencies), users and their memberships."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from voiceconsole.models import Membership, Organization, User
from voiceconsole.models.types import pk, random_base62
from voiceconsole.services.errors import ValidationFailed

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if len(email) > 320 or not _EMAIL_RE.match(email):
        raise ValidationFailed.field("email", "Enter a valid email address")
    return email


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:48] or "org"


def create_organization(session: Session, *, name: str, plan: str = "free", slug: str | None = None) -> Organization:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed.field("name", "Name must be 1–200 characters")
    base = slug or slugify(name)
    candidate = base
    while session.exec(select(Organization.id).where(Organization.slug == candidate)).first() is not None:
        candidate = f"{base}-{random_base62(5).lower()}"
    org = Organization(name=name, slug=candidate, plan=plan)
    session.add(org)
    session.flush()
    return org


def get_organization_by_slug(session: Session, slug: str) -> Organization | None:
    return session.exec(select(Organization).where(Organization.slug == slug)).first()


def get_or_create_user(session: Session, *, email: str, name: str | None = None) -> User:
    email = normalise_email(email)
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        user = User(email=email, name=name)
        session.add(user)
        session.flush()
    return user


def ensure_membership(session: Session, *, user: User, org: Organization, role: str = "owner") -> Membership:
    member = session.exec(
        select(Membership).where(Membership.user_id == user.id, Membership.organization_id == org.id)
    ).first()
    if member is None:
        member = Membership(user_id=pk(user), organization_id=pk(org), role=role)
        session.add(member)
        session.flush()
    return member
