"""Connectors for stored integrations: their key decrypted, a custom base URL checked again before use."""

from __future__ import annotations

from voiceconsole.models import Integration
from voiceconsole.platforms.connector import Connector, RetryPolicy
from voiceconsole.platforms.registry import make_connector
from voiceconsole.services.net_guard import check_base_url
from voiceconsole.services.security import decrypt


def connector_for(integration: Integration, *, retry: RetryPolicy | None = None) -> Connector:
    """The connector of a stored integration, ready to call the platform. Raises UnsafeTarget when its
    custom base URL now resolves to an address we refuse to call."""
    base_url = check_base_url(integration.base_url) if integration.base_url else None
    return make_connector(integration.platform, decrypt(integration.api_key_encrypted), base_url, retry=retry)


def webhook_verifier(integration: Integration) -> Connector:
    """A connector that only verifies and parses inbound webhooks: it never calls the platform, so its
    base URL is not resolved."""
    return make_connector(integration.platform, decrypt(integration.api_key_encrypted))
