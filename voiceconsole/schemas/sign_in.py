"""A user's browser sessions (Settings → Security) and the organization's audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from voiceconsole.schemas.base import PublicModel


class SessionOut(PublicModel):
    id: str  # ses_…
    device: str  # "Firefox on macOS", from the User-Agent
    ip: str | None
    method: str  # "magic_link" | "invitation" | "google" | "oidc"
    created_at: datetime
    last_seen_at: datetime | None
    expires_at: datetime
    current: bool  # the session making this request


class SessionsRevoked(PublicModel):
    revoked: int
    current_revoked: bool  # the caller's own session ended too: it must sign in again


class AuditActor(PublicModel):
    type: str  # "user" | "api_key" | "system"
    id: str  # a user's email, an API key's id (key_…), or "system"
    name: str  # what people read: the email, API key “Zapier”, VoiceConsole


class AuditEntryOut(PublicModel):
    id: int
    action: str  # resource.verb, e.g. integration.created
    actor: AuditActor
    target_type: str | None
    target_id: str | None
    details: dict[str, Any]
    ip: str | None
    user_agent: str | None
    source: str  # from where, in words: "203.0.113.7 · Firefox on macOS", "API key “Zapier”", "system"
    created_at: datetime
