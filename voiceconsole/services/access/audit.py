"""The audit trail: every change to members, roles, keys, integrations, channels, billing, clients and
sessions, with who made it and from where. Owners and admins read it (Settings → Audit log,
`GET /api/v1/audit-log`).

Actions are named `resource.verb`, the verb in the past tense: `integration.created`, `api_key.revoked`,
`channel.updated`, `client.deleted`, `session.revoked`. Rows written under the older names were renamed by
migration 0009; a filter given an older name still finds them (LEGACY_ACTIONS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from voiceconsole.models import ApiKey, AuditLog, Organization, User
from voiceconsole.schemas import AuditActor, AuditEntryOut
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.devices import describe_device
from voiceconsole.services.access.permissions import can
from voiceconsole.services.errors import Forbidden, ValidationFailed

# The names used before 0009 (the same table as the migration's), for filters written against them.
LEGACY_ACTIONS = {
    "api_key.create": "api_key.created",
    "api_key.revoke": "api_key.revoked",
    "notification_channel.create": "channel.created",
    "notification_channel.update": "channel.updated",
    "notification_channel.rotate_secret": "channel.secret_rotated",
    "notification_channel.delete": "channel.deleted",
    "notification_channel.test": "channel.tested",
    "notification_channel.resume": "channel.resumed",
    "integration.create": "integration.created",
    "integration.update": "integration.updated",
    "integration.change_key": "integration.key_changed",
    "integration.disconnect": "integration.disconnected",
    "scoring.update": "scoring.updated",
    "scoring.client_update": "client_scoring.updated",
    "scoring.agent_update": "agent_scoring.updated",
    "client.create": "client.created",
    "client.rename": "client.renamed",
    "client.delete": "client.deleted",
    "agent.assign_client": "agent.client_assigned",
    "organization.create": "organization.created",
    "auth.login": "session.created",
}

ACTION_NAME = re.compile(r"^[a-z][a-z_]{0,39}\.[a-z][a-z_]{0,39}$")
_ACTION_FILTER = re.compile(r"^[a-z][a-z_]{0,39}(\.([a-z][a-z_]{0,39}|\*))?$")
_KEY_ID = re.compile(r"^key_[A-Za-z0-9]{1,40}$")
_USER_REF = re.compile(r"^user:\d{1,18}$")


def record(
    session: Session,
    *,
    organization_id: int,
    actor: Actor,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add one entry to the organization's trail (committed with the change it records). `action` is
    `resource.verb`; where the actor acted from comes with the actor (`Actor.at`)."""
    if not ACTION_NAME.match(action):
        raise ValueError(f"audit actions are named resource.verb, got {action!r}")
    session.add(
        AuditLog(
            organization_id=organization_id,
            actor=actor.ref,
            actor_name=actor.display[:320] if actor.display else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=details or {},
            ip=actor.ip,
            user_agent=actor.user_agent,
        )
    )


@dataclass
class AuditFilters:
    actor: str | None = None  # an email, an API key id (key_…), "system"
    action: str | None = None  # "integration.created", "integration" or "integration.*"
    date_from: datetime | None = None
    date_to: datetime | None = None


def _actor_ref(session: Session, org: Organization, given: str) -> str | None:
    """The stored `actor` a filter names (None: nobody by that name ever acted here). 422 when the filter
    is not an email, an API key id or "system"."""
    value = given.strip()
    if value.lower() == "system":
        return "system:system"
    if _KEY_ID.match(value):
        return f"api_key:{value}"
    if value.startswith("api_key:") and _KEY_ID.match(value.removeprefix("api_key:")):
        return value
    if _USER_REF.match(value):
        return value
    if re.fullmatch(r"[^@\s]{1,200}@[^@\s]{1,200}", value):
        user_id = session.exec(select(User.id).where(User.email == value.lower())).first()
        return f"user:{user_id}" if user_id is not None else None
    raise ValidationFailed.field("actor", "Give an email address, an API key id (key_…) or system")


def _action_condition(given: str):
    value = given.strip().lower()
    value = LEGACY_ACTIONS.get(value, value)
    if not _ACTION_FILTER.match(value):
        raise ValidationFailed.field(
            "action", "Give an action such as integration.created, or a resource such as integration"
        )
    if "." not in value or value.endswith(".*"):
        return col(AuditLog.action).startswith(value.removesuffix(".*") + ".")
    return col(AuditLog.action) == value


def list_audit_log(
    session: Session, *, org: Organization, actor: Actor, filters: AuditFilters, page: int, per_page: int
) -> tuple[list[AuditEntryOut], int]:
    """One page of the organization's trail, newest first, and how many entries match. Owners and admins
    only."""
    if not can(actor, "audit.read"):
        raise Forbidden("Only owners and admins can read the audit log.")
    conditions: list[Any] = [col(AuditLog.organization_id) == org.id]
    if filters.actor:
        ref = _actor_ref(session, org, filters.actor)
        if ref is None:
            return [], 0
        conditions.append(col(AuditLog.actor) == ref)
    if filters.action:
        conditions.append(_action_condition(filters.action))
    if filters.date_from:
        conditions.append(col(AuditLog.created_at) >= filters.date_from)
    if filters.date_to:
        conditions.append(col(AuditLog.created_at) <= filters.date_to)
    total = session.exec(select(func.count()).select_from(AuditLog).where(*conditions)).one()
    rows = list(
        session.exec(
            select(AuditLog)
            .where(*conditions)
            .order_by(col(AuditLog.created_at).desc(), col(AuditLog.id).desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return _entries(session, org, rows), int(total)


def _entries(session: Session, org: Organization, rows: list[AuditLog]) -> list[AuditEntryOut]:
    """Rows as people read them. Users are shown by email and keys by id (never internal numbers); rows
    older than 0009 have no stored name, so theirs are looked up."""
    user_ids = {int(r.actor.split(":", 1)[1]) for r in rows if _USER_REF.match(r.actor)}
    emails = dict(session.exec(select(User.id, User.email).where(col(User.id).in_(user_ids))).all()) if user_ids else {}
    key_ids = {r.actor.split(":", 1)[1] for r in rows if r.actor.startswith("api_key:") and not r.actor_name}
    key_names = (
        dict(
            session.exec(
                select(ApiKey.public_id, ApiKey.name).where(
                    col(ApiKey.organization_id) == org.id, col(ApiKey.public_id).in_(key_ids)
                )
            ).all()
        )
        if key_ids
        else {}
    )
    out = []
    for row in rows:
        kind, _, ident = row.actor.partition(":")
        if kind == "user":
            email = emails.get(int(ident)) if ident.isdigit() else None
            who = AuditActor(type="user", id=email or "unknown", name=email or row.actor_name or "A former user")
            device = describe_device(row.user_agent) if row.user_agent else None
            source = " · ".join(part for part in (row.ip, device) if part) or "unknown"
        elif kind == "api_key":
            name = row.actor_name or (f"API key “{key_names[ident]}”" if ident in key_names else f"API key {ident}")
            who = AuditActor(type="api_key", id=ident, name=name)
            source = f"{name} from {row.ip}" if row.ip else name
        else:
            who = AuditActor(type="system", id="system", name=row.actor_name or "VoiceConsole")
            source = "system"
        out.append(
            AuditEntryOut(
                id=row.id or 0,
                action=LEGACY_ACTIONS.get(row.action, row.action),
                actor=who,
                target_type=row.target_type,
                target_id=row.target_id,
                details=row.details or {},
                ip=row.ip,
                user_agent=row.user_agent,
                source=source,
                created_at=row.created_at,
            )
        )
    return out
