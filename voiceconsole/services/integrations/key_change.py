"""Re-entering an integration's API key (the public docs' fix for a stale connection): the platform must
accept the new key before it replaces the stored one.

The platform is asked as when an account is connected (key_check.py: a person waits for the answer, which
comes within a few seconds), with no database transaction or connection held, and a refused key must
never replace a working one. Everything synced so far (agents, calls, the sync cursor) is kept, and
once the change is committed a sync with the new key is queued. Retell signs its webhooks with the API
key, so from then on only webhooks signed with the new key are accepted (`webhook_secret` reads it).
"""

from __future__ import annotations

import logging
import time

from sqlmodel import Session

from voiceconsole import enqueue
from voiceconsole.db import after_commit
from voiceconsole.models import Integration, Organization
from voiceconsole.models.types import pk
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import require
from voiceconsole.services.errors import DomainError
from voiceconsole.services.integrations.connections import (
    checked_edit,
    clean_api_key,
    connected_integration,
    refuse_connected_twice,
    update_integration,
)
from voiceconsole.services.integrations.key_check import check_key_with_platform
from voiceconsole.services.security import encrypt

log = logging.getLogger(__name__)


def change_api_key(
    session: Session,
    *,
    org: Organization,
    integration_id: str,
    api_key: str,
    actor: Actor,
    label: str | None = None,
    webhook_secret: str | None = None,
) -> Integration:
    """Replace a connected integration's API key with one its platform accepts, then show it active again
    (its last error cleared); with `label` / `webhook_secret`, also rename it or set its secret (as
    `update_integration`). All or nothing: a key the platform refuses is ValidationFailed naming `apiKey`;
    a platform that cannot be asked, PlatformUnreachable (503); the same key already connected as another
    live integration of the organization, or this one disconnected, Conflict; bad input, ValidationFailed.

    The platform is asked with no transaction open: `session`'s transaction is committed first (with
    whatever the caller left pending in it) and the change is made in the next one, left for the caller to
    commit. Once committed, a sync with the new key is queued.
    """
    require(actor, "integrations.manage")
    key = clean_api_key(api_key)
    integration = connected_integration(session, org, integration_id)
    checked_edit(integration, label=label, webhook_secret=webhook_secret)  # refused before the platform is asked
    refuse_connected_twice(session, org=org, platform=integration.platform, key=key, other_than=pk(integration))
    platform, base_url = integration.platform, integration.base_url
    session.expire(integration)  # read afresh after the check: it may be disconnected meanwhile
    session.commit()  # end the read: nothing is held while the platform answers
    try:
        check_key_with_platform(platform, base_url, key)
    except DomainError as exc:
        log.info("new API key for integration %s not stored: %s", integration_id, exc.message)
        raise

    integration = connected_integration(session, org, integration_id)
    refuse_connected_twice(session, org=org, platform=platform, key=key, other_than=pk(integration))
    previous_last4 = integration.api_key_last4
    integration.api_key_encrypted = encrypt(key)
    integration.api_key_last4 = key[-4:]
    integration.status, integration.last_error = "active", None
    session.add(integration)
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="integration.key_changed",
        target_type="integration",
        target_id=integration.public_id,
        details={"platform": platform, "apiKeyLast4": key[-4:], "previousApiKeyLast4": previous_last4},
    )
    if label is not None or webhook_secret is not None:
        update_integration(
            session, org=org, integration_id=integration_id, actor=actor, label=label, webhook_secret=webhook_secret
        )
    stored_id = pk(integration)
    after_commit(session, lambda: sync_with_new_key(stored_id))
    return integration


def sync_with_new_key(integration_id: int, *, now: float | None = None) -> bool:
    """Queue a sync that starts after the key changed (False: one is already waiting, and will use it).

    Through `enqueue.sync`, the one-per-minute policy of "Sync now". This minute's sync may already have
    run, refused with the old key: its slot is then taken, and the next minute's (queued now, to run at
    once) is. A sync of the old key still running holds the sync lock: this one waits for it.
    """
    now = time.time() if now is None else now
    return enqueue.sync(integration_id, now=now) or enqueue.sync(integration_id, now=now + enqueue.SYNC_BUCKET_S)
