"""Connected platform accounts (Retell, Vapi, ElevenLabs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from voiceconsole.models.types import JSONType, UTCDateTime, public_id, utcnow

INTEGRATION_STATUSES = ("active", "error", "stale")


class Integration(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: public_id("int"), max_length=32, unique=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    platform: str = Field(max_length=16)
    label: str = Field(max_length=200)
    api_key_encrypted: str  # Fernet token; the key is never shown again
    api_key_last4: str = Field(max_length=4)
    webhook_secret_encrypted: str | None = None
    base_url: str | None = Field(default=None, max_length=500)
    status: str = Field(default="active", max_length=16)
    last_sync_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_good_sync_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    sync_cursor: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    disconnected_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
