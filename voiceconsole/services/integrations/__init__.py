"""Connected platform accounts: connecting, listing, testing and disconnecting them (`connections`),
asking a platform whether it accepts an API key (`key_check`), re-entering an account's API key
(`key_change`), a connector for a stored integration (`connectors`),
the connection test a worker runs (`connection_test`), which integrations are due for their periodic sync
(`schedule`), and a sync waiting for another one's lock, as the integration shows it (`sync_waiting`).

Tests and syncs are jobs (DESIGN.md §2). The one platform request made inside a web request is the check
of an API key before it is stored, when an account is connected or its key re-entered, which a person
waits for (`key_check`: at most a few seconds, made with no database transaction open).
"""

from voiceconsole.services.integrations.connection_test import run_connection_test
from voiceconsole.services.integrations.connections import (
    AUTH_ERROR_MESSAGE,
    WEBHOOK_NOTES,
    auth_error_message,
    create_integration,
    disconnect_integration,
    effective_status,
    find_integration,
    get_integration,
    integration_out,
    list_integrations,
    request_sync,
    request_test,
    update_integration,
    webhook_secret,
    webhook_url,
)
from voiceconsole.services.integrations.connectors import connector_for, webhook_verifier
from voiceconsole.services.integrations.key_change import change_api_key
from voiceconsole.services.integrations.key_check import (
    KEY_CHECK_DEADLINE_S,
    KEY_REFUSED_MESSAGE,
    PlatformUnreachable,
    check_key_with_platform,
)
from voiceconsole.services.integrations.schedule import due_integration_ids
from voiceconsole.services.integrations.sync_waiting import SyncWaiting, waiting_syncs

__all__ = [
    "AUTH_ERROR_MESSAGE",
    "KEY_CHECK_DEADLINE_S",
    "KEY_REFUSED_MESSAGE",
    "WEBHOOK_NOTES",
    "PlatformUnreachable",
    "SyncWaiting",
    "auth_error_message",
    "change_api_key",
    "check_key_with_platform",
    "connector_for",
    "create_integration",
    "disconnect_integration",
    "due_integration_ids",
    "effective_status",
    "find_integration",
    "get_integration",
    "integration_out",
    "list_integrations",
    "request_sync",
    "request_test",
    "run_connection_test",
    "update_integration",
    "waiting_syncs",
    "webhook_secret",
    "webhook_url",
    "webhook_verifier",
]
