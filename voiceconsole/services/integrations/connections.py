"""Connected platform accounts: connect, list, test, sync on demand, disconnect.

Testing and syncing are jobs (DESIGN.md §2). The one question asked of a platform here is whether it
accepts the API key of an account being connected (key_check.py, also used when a key is re-entered:
key_change.py): a key it refuses is never stored. The API key is stored encrypted (Fernet) and only its
last 4 characters are ever shown again; the webhook secret is shown to owners and admins so they can
paste it into the platform.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import overload

from sqlalchemy import func
from sqlmodel import Session, col, select

from voiceconsole import enqueue
from voiceconsole.models import Agent, Integration, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.platforms.base import PLATFORM_NAMES, PLATFORMS
from voiceconsole.schemas import IntegrationOut, WorkQueued
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import is_manager, require
from voiceconsole.services.errors import Conflict, DomainError, NotFound, ValidationFailed
from voiceconsole.services.integrations.key_check import check_key_with_platform
from voiceconsole.services.integrations.sync_waiting import SyncWaiting, waiting_syncs
from voiceconsole.services.net_guard import UnsafeTarget, check_base_url
from voiceconsole.services.security import decrypt, encrypt, new_signing_secret
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)

AUTH_ERROR_MESSAGE = (
    "The platform rejected the API key (HTTP {status}). Create a new key in the {name} dashboard and connect it again."
)
WEBHOOK_NOTES = {
    "retell": (
        "Retell signs webhooks with your Retell API key (use a key with the webhook badge), so there is "
        "no separate secret: paste the webhook URL into the agent's or the account's webhook setting."
    ),
    "vapi": (
        "In Vapi, set the server URL to the webhook URL and add an HMAC credential (sha256, hex, "
        "payload {timestamp}.{body}, signature header x-vapi-signature, timestamp header x-timestamp) "
        "with this secret. Enable the end-of-call-report server message."
    ),
    "elevenlabs": (
        "In ElevenLabs, add a workspace webhook with the webhook URL and enable post-call "
        "transcription. ElevenLabs shows an HMAC secret for it: paste that here as the webhook secret "
        "(until then, this generated one is used)."
    ),
}


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def effective_status(integration: Integration, now: datetime | None = None) -> str:
    """active | error | stale, computed on read: stale = no good sync for two sync intervals."""
    if integration.disconnected_at is not None:
        return "disconnected"
    if integration.status == "error":
        return "error"
    now = now or utcnow()
    stale_after = timedelta(seconds=2 * get_settings().sync_interval_s)
    reference = integration.last_good_sync_at or integration.created_at
    return "stale" if now - reference > stale_after else "active"


def webhook_url(integration: Integration) -> str:
    return f"{get_settings().base_url}/api/integrations/{integration.platform}/webhook/{integration.public_id}"


def webhook_secret(integration: Integration) -> str | None:
    """The secret the platform signs webhooks with (Retell: the API key itself)."""
    if integration.platform == "retell":
        return decrypt(integration.api_key_encrypted)
    return decrypt(integration.webhook_secret_encrypted) if integration.webhook_secret_encrypted else None


def integration_out(
    integration: Integration, *, actor: Actor, agent_count: int = 0, waiting: SyncWaiting | None = None
) -> IntegrationOut:
    """The integration as shown; `waiting`: its sync waiting for the sync lock (sync_waiting.py), if any."""
    shown_secret = None
    if integration.platform != "retell" and is_manager(actor) and integration.webhook_secret_encrypted:
        shown_secret = decrypt(integration.webhook_secret_encrypted)
    return IntegrationOut(
        id=integration.public_id,
        platform=integration.platform,
        label=integration.label,
        status=effective_status(integration),
        api_key_last4=integration.api_key_last4,
        base_url=integration.base_url,
        last_sync_at=integration.last_sync_at,
        last_good_sync_at=integration.last_good_sync_at,
        last_error=integration.last_error,
        created_at=integration.created_at,
        disconnected_at=integration.disconnected_at,
        agent_count=agent_count,
        webhook_url=webhook_url(integration),
        webhook_secret=shown_secret,
        webhook_note=WEBHOOK_NOTES[integration.platform],
        sync_waiting_since=waiting.since if waiting else None,
        sync_retry_at=waiting.retry_at if waiting else None,
    )


def _agent_counts(session: Session, integration_ids: list[int]) -> dict[int, int]:
    if not integration_ids:
        return {}
    rows = session.exec(
        select(Agent.integration_id, func.count())
        .where(col(Agent.integration_id).in_(integration_ids))
        .group_by(col(Agent.integration_id))
    )
    return {integration_id: n for integration_id, n in rows if integration_id is not None}  # IN: never None


def list_integrations(
    session: Session, *, org: Organization, actor: Actor, include_disconnected: bool = False
) -> list[IntegrationOut]:
    require(actor, "integrations.read")
    query = select(Integration).where(Integration.organization_id == org.id)
    if not include_disconnected:
        query = query.where(col(Integration.disconnected_at).is_(None))
    integrations = list(session.exec(query.order_by(col(Integration.created_at), col(Integration.id))))
    counts = _agent_counts(session, [pk(i) for i in integrations])
    waiting = waiting_syncs([pk(i) for i in integrations if i.disconnected_at is None])
    return [
        integration_out(i, actor=actor, agent_count=counts.get(pk(i), 0), waiting=waiting.get(pk(i)))
        for i in integrations
    ]


def find_integration(session: Session, *, org: Organization, integration_id: str) -> Integration:
    """An organization's integration by public id; another organization's is NotFound."""
    integration = session.exec(
        select(Integration).where(Integration.public_id == integration_id, Integration.organization_id == org.id)
    ).first()
    if integration is None:
        raise NotFound("Integration not found")
    return integration


def get_integration(session: Session, *, org: Organization, integration_id: str, actor: Actor) -> IntegrationOut:
    require(actor, "integrations.read")
    integration = find_integration(session, org=org, integration_id=integration_id)
    waiting = waiting_syncs([pk(integration)]) if integration.disconnected_at is None else {}
    return integration_out(
        integration,
        actor=actor,
        agent_count=_agent_counts(session, [pk(integration)]).get(pk(integration), 0),
        waiting=waiting.get(pk(integration)),
    )


# --------------------------------------------------------------------------------------------------
# Changing
# --------------------------------------------------------------------------------------------------


def new_webhook_secret() -> str:
    return new_signing_secret()


def clean_api_key(api_key: str | None) -> str:
    """The key as typed, without surrounding spaces; ValidationFailed on `apiKey` unless it can be one."""
    key = (api_key or "").strip()
    if not key:
        raise ValidationFailed.field("apiKey", "Enter the platform's API key")
    if len(key) > 500 or any(c.isspace() for c in key):
        raise ValidationFailed.field("apiKey", "This does not look like an API key (no spaces, at most 500 characters)")
    if not (key.isascii() and key.isprintable()):
        # An HTTP header cannot carry it, so no platform issues one: usually a character picked up by
        # copying the key from formatted text.
        raise ValidationFailed.field("apiKey", "API keys are plain ASCII letters, digits and symbols; copy it again")
    return key


def refuse_connected_twice(
    session: Session, *, org: Organization, platform: str, key: str, other_than: int | None = None
) -> None:
    """Conflict when `key` is already the key of another live integration of the organization."""
    query = select(Integration).where(
        Integration.organization_id == org.id,
        Integration.platform == platform,
        col(Integration.disconnected_at).is_(None),
    )
    if other_than is not None:
        query = query.where(Integration.id != other_than)
    for other in session.exec(query):
        if other.api_key_last4 == key[-4:] and decrypt(other.api_key_encrypted) == key:
            raise Conflict(f"This {PLATFORM_NAMES[platform]} account is already connected as “{other.label}”")


@overload
def _clean_secret(secret: str) -> str: ...
@overload
def _clean_secret(secret: None) -> None: ...
def _clean_secret(secret: str | None) -> str | None:
    if secret is None:
        return None
    secret = secret.strip()
    if not secret or len(secret) > 500 or any(c.isspace() for c in secret):
        raise ValidationFailed.field("webhookSecret", "Must be 1–500 characters without spaces")
    return secret


def create_integration(
    session: Session,
    *,
    org: Organization,
    platform: str,
    api_key: str,
    label: str | None,
    actor: Actor,
    base_url: str | None = None,
    webhook_secret: str | None = None,
) -> Integration:
    """Connect a platform account once its platform accepts the key: the one way an integration is added
    (the API, the settings page and the demo all come here).

    In this order, stopping at the first refusal, with nothing stored: the role (Forbidden); the input,
    including a custom base URL that points at a private host unless allowed (ValidationFailed naming
    the field); an account already connected (Conflict); then the platform is asked (key_check.py), at
    most a few seconds: a key it refuses is ValidationFailed naming `apiKey`, a platform that cannot be
    asked PlatformUnreachable (503).

    The platform is asked with no transaction open: `session`'s transaction is committed first (with
    whatever the caller left pending in it) and the integration and its audit entry are added in the next
    one, left for the caller to commit. The first sync is queued by the caller after that commit.
    """
    require(actor, "integrations.manage")
    if platform not in PLATFORMS:
        raise ValidationFailed.field("platform", f"Must be one of: {', '.join(PLATFORMS)}")
    key = clean_api_key(api_key)
    label = (label or "").strip() or f"{PLATFORM_NAMES[platform]} account"
    if len(label) > 200:
        raise ValidationFailed.field("label", "At most 200 characters")
    clean_url = None
    if base_url is not None and base_url.strip():
        try:
            clean_url = check_base_url(base_url)
        except UnsafeTarget as exc:
            raise ValidationFailed.field("baseUrl", str(exc)) from None
        if len(clean_url) > 500:
            raise ValidationFailed.field("baseUrl", "At most 500 characters")
    secret = _clean_secret(webhook_secret)
    if platform == "retell" and secret is not None:
        raise ValidationFailed.field("webhookSecret", "Retell signs webhooks with the API key; no secret is needed")
    refuse_connected_twice(session, org=org, platform=platform, key=key)
    session.commit()  # end the read: nothing is held while the platform answers
    try:
        check_key_with_platform(platform, clean_url, key, purpose="connect")
    except DomainError as exc:
        log.info("%s account not connected for organization %s: %s", platform, org.id, exc.message)
        raise

    refuse_connected_twice(session, org=org, platform=platform, key=key)  # connected meanwhile?
    integration = Integration(
        organization_id=pk(org),
        platform=platform,
        label=label,
        api_key_encrypted=encrypt(key),
        api_key_last4=key[-4:],
        base_url=clean_url,
        status="active",
        webhook_secret_encrypted=None if platform == "retell" else encrypt(secret or new_webhook_secret()),
    )
    session.add(integration)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="integration.created",
        target_type="integration",
        target_id=integration.public_id,
        details={"platform": platform, "label": label},
    )
    return integration


def checked_edit(
    integration: Integration, *, label: str | None, webhook_secret: str | None
) -> tuple[str | None, str | None]:
    """The label and webhook secret an update would set (None: left as is); ValidationFailed naming the
    field otherwise. Changes nothing."""
    if label is not None:
        label = label.strip()
        if not label or len(label) > 200:
            raise ValidationFailed.field("label", "Must be 1–200 characters")
    if webhook_secret is not None:
        if integration.platform == "retell":
            raise ValidationFailed.field("webhookSecret", "Retell signs webhooks with the API key; no secret is needed")
        webhook_secret = _clean_secret(webhook_secret)
    return label, webhook_secret


def update_integration(
    session: Session,
    *,
    org: Organization,
    integration_id: str,
    actor: Actor,
    label: str | None = None,
    webhook_secret: str | None = None,
) -> Integration:
    """Rename it, or set the webhook secret the platform gave (its API key: `change_api_key`)."""
    require(actor, "integrations.manage")
    integration = find_integration(session, org=org, integration_id=integration_id)
    new_label, new_secret = checked_edit(integration, label=label, webhook_secret=webhook_secret)
    if new_label is not None:
        integration.label = new_label
    if new_secret is not None:
        integration.webhook_secret_encrypted = encrypt(new_secret)
    session.add(integration)
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="integration.updated",
        target_type="integration",
        target_id=integration.public_id,
        details={"label": label is not None, "webhookSecret": webhook_secret is not None},
    )
    return integration


def disconnect_integration(session: Session, *, org: Organization, integration_id: str, actor: Actor) -> Integration:
    """Stop syncing and refuse its webhooks; its agents and calls stay (history is kept)."""
    require(actor, "integrations.manage")
    integration = find_integration(session, org=org, integration_id=integration_id)
    if integration.disconnected_at is None:
        integration.disconnected_at = utcnow()
        session.add(integration)
        audit.record(
            session,
            organization_id=pk(org),
            actor=actor,
            action="integration.disconnected",
            target_type="integration",
            target_id=integration.public_id,
        )
    return integration


def connected_integration(session: Session, org: Organization, integration_id: str) -> Integration:
    """An organization's integration that is still connected: Conflict once it is disconnected."""
    integration = find_integration(session, org=org, integration_id=integration_id)
    if integration.disconnected_at is not None:
        raise Conflict("This integration is disconnected")
    return integration


def request_test(session: Session, *, org: Organization, integration_id: str, actor: Actor) -> WorkQueued:
    """Queue a connection test (lists the agents); its outcome shows in the integration's status."""
    require(actor, "integrations.sync")
    integration = connected_integration(session, org, integration_id)
    return WorkQueued(queued=enqueue.connection_test(pk(integration)), integration_id=integration.public_id)


def request_sync(session: Session, *, org: Organization, integration_id: str, actor: Actor) -> WorkQueued:
    """Queue a sync now; a sync already queued for this minute is not queued twice."""
    require(actor, "integrations.sync")
    integration = connected_integration(session, org, integration_id)
    return WorkQueued(queued=enqueue.sync(pk(integration)), integration_id=integration.public_id)


def auth_error_message(platform: str, status: int | None) -> str:
    return AUTH_ERROR_MESSAGE.format(status=status or 401, name=PLATFORM_NAMES.get(platform, platform))
