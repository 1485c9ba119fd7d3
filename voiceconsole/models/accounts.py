"""Tenancy and people: organizations (agencies), their clients, users, sessions, keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from voiceconsole.models.types import JSONType, UTCDateTime, public_id, utcnow

PLANS = ("free", "pro", "agency")
ROLES = ("owner", "admin", "member", "client_viewer")
BILLING_STATUSES = ("active", "trialing", "past_due", "canceled")


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    plan: str = Field(default="free", max_length=16)
    timezone: str = Field(default="UTC", max_length=64)
    alert_threshold: int = Field(default=60)
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    is_demo: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Billing (services/billing): kept in step with the Stripe subscription by its webhooks.
    billing_status: str = Field(default="active", max_length=16)  # BILLING_STATUSES
    period_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_at_period_end: bool = Field(default=False)
    stripe_customer_id: str | None = Field(default=None, max_length=64, unique=True, index=True)
    stripe_subscription_id: str | None = Field(default=None, max_length=64)
    overage: bool = Field(default=False)  # AI credits past the allowance, billed on Stripe's meter
    payment_failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    grace_ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # then Free limits until paid


class Client(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("organization_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: public_id("cli"), max_length=32, unique=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    name: str = Field(max_length=200)
    # What this client's viewers see in their portal besides calls and scores (the agency decides).
    show_costs: bool = Field(default=False)
    show_agent_config: bool = Field(default=False)  # agent prompts, voice, model
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)  # stored lower-cased
    name: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: public_id("mem"), max_length=32, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    role: str = Field(default="member", max_length=16)
    client_id: int | None = Field(default=None, foreign_key="client.id")  # client_viewer scope
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UserSession(SQLModel, table=True):
    """A browser session (`cp_session` cookie). Only the token's SHA-256 is stored. `organization_id` is the
    session's current organization: a person in several organizations switches it (the UI's switcher)."""

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user_expires", "user_id", "expires_at"),)
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    organization_id: int = Field(foreign_key="organization.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Shown under Settings → Security (services/accounts/sessions.py): how and from where it signed in.
    public_id: str = Field(default_factory=lambda: public_id("ses"), max_length=32, unique=True)
    method: str = Field(default="magic_link", max_length=16)  # "magic_link" | "invitation" | "google" | "oidc"
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=400)
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MagicLink(SQLModel, table=True):
    __tablename__ = "magic_link"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    email: str = Field(max_length=320, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Invitation(SQLModel, table=True):
    """An invitation to join an organization with a role: a single-use link (only the token's SHA-256 is
    stored) valid for 24 hours; resending replaces the token. Pending: not accepted, not revoked."""

    __table_args__ = (Index("ix_invitation_org_email", "organization_id", "email"),)
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: public_id("inv"), max_length=32, unique=True)
    organization_id: int = Field(foreign_key="organization.id")
    email: str = Field(max_length=320)  # lower-cased
    role: str = Field(max_length=16)
    client_id: int | None = Field(default=None, foreign_key="client.id")  # client_viewer scope
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"
    __table_args__ = (Index("ix_api_key_org_created", "organization_id", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: public_id("key"), max_length=32, unique=True)
    organization_id: int = Field(foreign_key="organization.id")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)  # first characters, for recognising a key in lists
    key_hash: str = Field(max_length=64, unique=True)
    # What the key may do: never more than its creator's current role in the organization (a key acts as
    # the member who created it). Keys without a creator (made before members existed, or by the command
    # line) act with this stored role alone.
    role: str = Field(default="owner", max_length=16)
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_org_created", "organization_id", "created_at"),
        Index("ix_audit_log_org_action", "organization_id", "action"),
        Index("ix_audit_log_org_actor", "organization_id", "actor"),
    )
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id")
    actor: str = Field(max_length=200)  # "user:3", "api_key:key_…", "system"
    action: str = Field(max_length=64)
    target_type: str | None = Field(default=None, max_length=32)
    target_id: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Who and from where, as it was then (services/access/audit.py); None on rows older than 0009.
    actor_name: str | None = Field(default=None, max_length=320)
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=400)
