"""Open-call jobs: find the integrations with calls still open, and poll one integration's. Thin: each
takes ids and calls a service (services/intake/open_calls.py)."""

from __future__ import annotations

from voiceconsole import enqueue
from voiceconsole.db import session_scope
from voiceconsole.services.intake.open_calls import integrations_with_open_calls, poll_open_calls


def enqueue_open_call_polls_job() -> dict:
    """Queue a poll for every connected integration with a call still open (one job each: a platform that
    is slow or failing holds up no other)."""
    with session_scope() as session:
        due = integrations_with_open_calls(session)
    enqueued = [integration_id for integration_id in due if enqueue.open_call_poll(integration_id)]
    return {"due": due, "enqueued": enqueued}


def poll_open_calls_job(integration_id: int) -> dict:
    return poll_open_calls(integration_id).summary()
