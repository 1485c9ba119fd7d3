"""API keys: `viq_` + 40 base62 characters, shown once, stored as a SHA-256 hash."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeGuard

from sqlalchemy import update
from sqlmodel import Session, col, select

from voiceconsole.models import ApiKey, Membership, Organization
from voiceconsole.models.types import pk, random_base62, utcnow
from voiceconsole.schemas import ApiKeyCreated, ApiKeyOut
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import lower_role, require, require_rank
from voiceconsole.services.errors import NotFound, ValidationFailed
from voiceconsole.services.security import sha256_hex

KEY_PREFIX = "viq_"
KEY_RANDOM_CHARS = 40  # ≈ 238 bits
_LAST_USED_RESOLUTION = timedelta(minutes=1)  # avoid a write on every request


def key_out(key: ApiKey) -> ApiKeyOut:
    """The public shape of a key: never the key itself, only its display prefix."""
    return ApiKeyOut(
        id=key.public_id,
        name=key.name,
        prefix=key.prefix,
        role=key.role,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


def create_api_key(
    session: Session, *, org: Organization, name: str, actor: Actor, role: str | None = None
) -> ApiKeyCreated:
    """A new key acting with `role` (default: the creator's own), never above the creator's role. The
    answer's `key` is the only time the full key exists outside the caller's hands."""
    require(actor, "api_keys.manage")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed.field("name", "Name must be 1–100 characters")
    role = role or actor.role
    if role not in ("owner", "admin", "member"):
        raise ValidationFailed.field("role", "Role must be owner, admin or member")
    require_rank(actor, role, "create API keys")
    raw = KEY_PREFIX + random_base62(KEY_RANDOM_CHARS)
    key = ApiKey(
        organization_id=pk(org),
        name=name,
        prefix=raw[:8],
        key_hash=sha256_hex(raw),
        role=role,
        created_by_user_id=actor.user_id,
    )
    session.add(key)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="api_key.created",
        target_type="api_key",
        target_id=key.public_id,
        details={"name": name},
    )
    return ApiKeyCreated(**key_out(key).model_dump(), key=raw)


def list_api_keys(
    session: Session, *, org: Organization, actor: Actor, include_revoked: bool = False
) -> list[ApiKeyOut]:
    require(actor, "api_keys.manage")
    q = select(ApiKey).where(ApiKey.organization_id == org.id)
    if not include_revoked:
        q = q.where(col(ApiKey.revoked_at).is_(None))
    return [key_out(k) for k in session.exec(q.order_by(col(ApiKey.created_at).desc(), col(ApiKey.id).desc()))]


def revoke_api_key(session: Session, *, org: Organization, key_id: str, actor: Actor) -> ApiKeyOut:
    require(actor, "api_keys.manage")
    # The key's id, or the key itself (an operator revoking a leaked key from the command line).
    match = ApiKey.key_hash == sha256_hex(key_id) if looks_like_key(key_id) else ApiKey.public_id == key_id
    key = session.exec(select(ApiKey).where(ApiKey.organization_id == org.id, match)).first()
    if key is None or key.revoked_at is not None:
        raise NotFound("API key not found")
    require_rank(actor, key.role, "revoke API keys")
    key.revoked_at = utcnow()
    session.add(key)
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="api_key.revoked",
        target_type="api_key",
        target_id=key.public_id,
    )
    return key_out(key)


def looks_like_key(raw: str | None) -> TypeGuard[str]:
    """Shaped like one of our keys (checked before anything is hashed or looked up)."""
    return raw is not None and raw.startswith(KEY_PREFIX) and len(raw) <= 200


def authenticate_api_key(session: Session, raw: str | None) -> tuple[ApiKey, Organization, Actor] | None:
    """The active key `raw`, its organization and who it acts as (`actor_for_key`); None when there is no
    such key, or its creator is no longer a member of the organization."""
    if not looks_like_key(raw):
        return None
    row = session.exec(
        select(ApiKey, Organization, Membership)
        .join(Organization, col(Organization.id) == col(ApiKey.organization_id))
        .outerjoin(
            Membership,
            (col(Membership.user_id) == col(ApiKey.created_by_user_id))
            & (col(Membership.organization_id) == col(ApiKey.organization_id)),
        )
        .where(col(ApiKey.key_hash) == sha256_hex(raw), col(ApiKey.revoked_at).is_(None))
    ).first()
    if row is None:
        return None
    key, org, creator = row
    if key.created_by_user_id is not None and creator is None:
        return None  # its creator left the organization (their keys are revoked then; this is the safety net)
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > _LAST_USED_RESOLUTION:
        touch_last_used(session, pk(key), now)
    return key, org, actor_for_key(key, creator)


def touch_last_used(session: Session, key_id: int, now: datetime | None = None) -> None:
    """Record that the key was used (a Core UPDATE: it changes nothing a remembered key grants)."""
    session.exec(update(ApiKey).where(col(ApiKey.id) == key_id).values(last_used_at=now or utcnow()))
    session.commit()


def actor_for_key(key: ApiKey, creator: Membership | None = None) -> Actor:
    """Who a key acts as: the member who created it, never above their current role (nor above the key's
    own role). A key without a creator (made before keys acted as members, or by the command line) acts
    with its stored role."""
    role, client_id = key.role, None
    if creator is not None:
        role = lower_role(key.role, creator.role)
        client_id = creator.client_id if role == "client_viewer" else None
    return Actor(
        kind="api_key",
        id=key.public_id,
        display=f"API key “{key.name}”",
        role=role,
        user_id=key.created_by_user_id,
        client_id=client_id,
    )
