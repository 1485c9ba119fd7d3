"""API keys: never the key itself, except once, at creation."""

from __future__ import annotations

from datetime import datetime

from voiceconsole.schemas.base import PublicModel


class ApiKeyOut(PublicModel):
    id: str
    name: str
    prefix: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None = None


class ApiKeyCreated(ApiKeyOut):
    key: str  # shown once
