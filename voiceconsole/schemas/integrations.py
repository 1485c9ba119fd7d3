"""Connected platform accounts."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from voiceconsole.schemas.base import PublicModel


class IntegrationOut(PublicModel):
    """A connected platform account. The API key itself is never returned: only its last 4 characters."""

    id: str
    platform: str
    label: str
    status: str  # active | error | stale (stale is computed when read), or disconnected
    api_key_last4: str
    base_url: str | None = None
    last_sync_at: datetime | None = None
    last_good_sync_at: datetime | None = None
    last_error: str | None = None
    created_at: datetime
    disconnected_at: datetime | None = None
    agent_count: int = 0
    webhook_url: str
    webhook_secret: str | None = None  # shown to owners and admins, to paste into the platform
    webhook_note: str
    sync_waiting_since: datetime | None = Field(
        default=None,
        description=(
            "Set while a requested or scheduled sync waits for another sync of this integration to finish "
            "(or for the lock a stopped worker left to lapse, within a minute): since when it has waited. "
            "Null when no sync waits. Independent of `status`, which describes the last sync."
        ),
    )
    sync_retry_at: datetime | None = Field(
        default=None,
        description=(
            "While a sync waits: when it is tried again (it starts sooner if the running sync ends first). "
            "Null when no sync waits."
        ),
    )


class WorkQueued(PublicModel):
    """A connection test or a sync asked for: False when one is already queued (it runs shortly)."""

    queued: bool
    integration_id: str


class WebhookReceipt(PublicModel):
    """The answer to a platform's webhook delivery."""

    received: bool = True
    stored: bool
    call_id: str | None = None  # our public id (cl_…)
    new: bool = False
    ignored_reason: str | None = None
