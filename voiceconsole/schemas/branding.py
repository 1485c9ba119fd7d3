"""An agency's branding as its client portals show it."""

from __future__ import annotations

from datetime import datetime

from voiceconsole.schemas.base import PublicModel


class BrandingOut(PublicModel):
    name: str  # the organization's name
    accent_color: str | None  # "#rrggbb", or null for VoiceConsole's own
    logo_url: str | None  # a versioned API path (changes with the logo), or null without a logo
    logo_content_type: str | None
    logo_bytes: int | None
    updated_at: datetime | None
