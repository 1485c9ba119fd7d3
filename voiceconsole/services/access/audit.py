"""Audit trail of security-relevant actions."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from voiceconsole.models import AuditLog
from voiceconsole.services.access.actor import Actor


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
    session.add(
        AuditLog(
            organization_id=organization_id,
            actor=actor.ref,
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=details or {},
        )
    )
