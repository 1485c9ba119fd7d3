"""An agency's look in its client portals: accent colour and logo (the name is the organization's)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from voiceconsole.models.types import UTCDateTime, utcnow


class Branding(SQLModel, table=True):
    """One row per organization that set any branding. The logo's bytes live here (at most a few hundred
    KB, checked on upload), so every web process serves the same logo without shared storage."""

    organization_id: int = Field(foreign_key="organization.id", primary_key=True)
    accent_color: str | None = Field(default=None, max_length=7)  # "#RRGGBB"
    logo: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    logo_content_type: str | None = Field(default=None, max_length=32)  # image/png | image/jpeg | image/webp
    logo_sha256: str | None = Field(default=None, max_length=64)  # the logo URL's version (cache busting, ETag)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
