"""Testing a connection: list the account's agents, and record what a person can act on."""

from __future__ import annotations

from typing import Any

from voiceconsole.db import session_scope
from voiceconsole.models import Integration
from voiceconsole.platforms.connector import PlatformAuthError, PlatformError
from voiceconsole.services.integrations.connections import auth_error_message
from voiceconsole.services.integrations.connectors import connector_for
from voiceconsole.services.net_guard import UnsafeTarget


def run_connection_test(integration_id: int) -> dict[str, Any]:
    """List the account's agents; set status active, or error with a message a person can act on."""
    connector, error, agents = None, None, 0
    with session_scope() as session:
        integration = session.get(Integration, integration_id)
        if integration is None or integration.disconnected_at is not None:
            return {"status": "skipped"}
        platform = integration.platform
        try:
            connector = connector_for(integration)
        except UnsafeTarget as exc:
            error = f"The base URL is not allowed: {exc}"
    if connector is not None:
        try:
            with connector:
                agents = len(connector.list_agents())
        except PlatformAuthError as exc:
            error = auth_error_message(platform, exc.status_code)
        except PlatformError as exc:
            error = exc.message
    with session_scope() as session:
        integration = session.get(Integration, integration_id)
        if integration is None:  # deleted while the test ran
            return {"status": "skipped"}
        integration.status = "error" if error else "active"
        integration.last_error = error
        session.add(integration)
    return {"status": "error" if error else "active", "agents": agents, "error": error}
