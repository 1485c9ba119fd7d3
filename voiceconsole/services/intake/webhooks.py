"""Inbound platform webhooks: verify, refuse replays, store the call, queue its scoring.

This is the one place the web process stores platform data inline: it parses the body it was sent
and never calls the platform. A delivery is accepted only when
- the integration exists, is connected and is of that platform (else 404);
- its signature (or Vapi's static secret) checks out and its timestamp is inside the platform's
  window (else 401, nothing stored);
- the same signed delivery was not accepted before (a Redis SET NX of what was signed, the timestamp
  and the body, whatever the spelling of the signature header; kept for the window; else 409, nothing
  stored). A platform's retry is signed afresh, passes, and is an upsert, so the same call delivered
  twice is stored once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping

from sqlmodel import Session, select

from voiceconsole.models import Call, Integration, Organization
from voiceconsole.platforms.base import PLATFORMS
from voiceconsole.platforms.connector import Connector, WebhookVerificationError
from voiceconsole.redis_client import get_redis
from voiceconsole.schemas import WebhookReceipt
from voiceconsole.services.errors import DomainError, NotFound
from voiceconsole.services.intake.store import store_calls
from voiceconsole.services.integrations import webhook_secret, webhook_verifier
from voiceconsole.services.text import is_storable

log = logging.getLogger(__name__)
REPLAY_PREFIX = "vc:webhook-seen:"
MAX_BODY_BYTES = 5 * 1024 * 1024


class WebhookRejected(DomainError):
    status_code = 401


class WebhookReplayed(DomainError):
    status_code = 409


class WebhookUnreadable(DomainError):
    status_code = 400


def _integration(session: Session, platform: str, integration_id: str) -> Integration:
    if platform not in PLATFORMS:
        raise NotFound("Unknown webhook endpoint")
    integration = session.exec(
        select(Integration).where(Integration.public_id == integration_id, Integration.platform == platform)
    ).first()
    if integration is None or integration.disconnected_at is not None:
        raise NotFound("Unknown webhook endpoint")
    return integration


def _claim(key: str, ttl_s: int) -> bool:
    return bool(get_redis().set(key, b"1", nx=True, ex=ttl_s))


def _release(key: str) -> None:
    get_redis().delete(key)


def receive_platform_webhook(
    session: Session, *, platform: str, integration_id: str, headers: Mapping[str, str], body: bytes
) -> WebhookReceipt:
    """Verify and store one delivery (commits; scoring and agent stats are queued once committed)."""
    integration = _integration(session, platform, integration_id)
    connector = webhook_verifier(integration)
    try:
        delivery = connector.verify_webhook(headers, body, webhook_secret(integration) or "")
    except WebhookVerificationError as exc:
        log.info("webhook for integration %s refused: %s", integration.public_id, exc)
        raise WebhookRejected(
            "Webhook signature verification failed", [{"field": "signature", "message": str(exc)}]
        ) from exc
    material = f"{integration.id}:{delivery}"  # what was signed, not how the header spells it
    replay_key = REPLAY_PREFIX + hashlib.sha256(material.encode()).hexdigest()
    window_s = connector.signature_window_s
    if not _claim(replay_key, int(2 * window_s + 60)):
        raise WebhookReplayed("This webhook delivery was already received (replayed signature)")
    try:
        outcome = _store(session, integration, connector, body)
        session.commit()
    except Exception:
        session.rollback()
        _release(replay_key)  # not stored: let the platform's retry through
        raise
    return outcome


def _store(session: Session, integration: Integration, connector: Connector, body: bytes) -> WebhookReceipt:
    try:
        record = connector.parse_webhook(body)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        # RecursionError: JSON nested deeper than the parser goes (no platform sends that).
        unreadable = isinstance(exc, json.JSONDecodeError | RecursionError)
        detail = "not valid JSON" if unreadable else "not a call this platform sends"
        raise WebhookUnreadable(f"Webhook body is {detail}", [{"field": "body", "message": detail}]) from None
    if record is None:
        return WebhookReceipt(stored=False, ignored_reason="event type not stored")
    for name, value in (("call_id", record.platform_call_id), ("agent_id", record.platform_agent_id)):
        if value is not None and not is_storable(value):
            raise WebhookUnreadable(
                "Webhook body names a call or agent id that is not text",
                [{"field": name, "message": "Must not contain NUL or unpaired surrogates"}],
            )
    existing = session.exec(
        select(Call).where(
            Call.organization_id == integration.organization_id,
            Call.platform == record.platform,
            Call.platform_call_id == record.platform_call_id,
        )
    ).first()
    if existing is not None and existing.platform_analysis and not record.analysis:
        # An earlier event (Retell call_ended) arriving after the analysed one must not erase the analysis.
        return WebhookReceipt(stored=False, call_id=existing.public_id, ignored_reason="older than the stored call")
    org = session.get_one(Organization, integration.organization_id)  # exists: the integration's foreign key
    intake = store_calls(session, org=org, records=[record], integration_id=integration.id)
    if intake.skipped_unmonitored:  # imported once the plan monitors its agent (services/billing/monitoring)
        return WebhookReceipt(stored=False, ignored_reason="agent not monitored on this plan")
    stored = intake.new_call_ids or intake.updated_call_ids
    call = session.get(Call, stored[0]) if stored else None
    public = call.public_id if call is not None else None
    return WebhookReceipt(stored=True, call_id=public, new=bool(intake.new_call_ids))
