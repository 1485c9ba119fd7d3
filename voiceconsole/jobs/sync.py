"""Sync jobs: sync one integration, test its connection, and find the integrations due for their
periodic sync. Thin: each takes ids and calls a service."""

from __future__ import annotations

from voiceconsole import enqueue
from voiceconsole.db import session_scope
from voiceconsole.services.intake.sync import sync_integration
from voiceconsole.services.integrations.connection_test import run_connection_test
from voiceconsole.services.integrations.schedule import due_integration_ids


def sync_integration_job(integration_id: int) -> dict:
    return sync_integration(integration_id).summary()


def connection_test_job(integration_id: int) -> dict:
    return run_connection_test(integration_id)


def enqueue_due_syncs_job() -> dict:
    """Queue a sync for every integration whose last sync is older than the sync interval."""
    with session_scope() as session:
        due = due_integration_ids(session)
    return {"due": due, "enqueued": [integration_id for integration_id in due if enqueue.sync(integration_id)]}
