"""Calls arriving from the platforms, whichever way they come: the periodic and requested sync (`sync`),
signed inbound webhooks (`webhooks`), and the one stage both go through to be stored, announced and
queued for scoring (`store`)."""

from voiceconsole.services.intake.store import Intake, store_calls, upsert_agent, upsert_calls
from voiceconsole.services.intake.sync import SyncResult, sync_integration
from voiceconsole.services.intake.webhooks import MAX_BODY_BYTES, receive_platform_webhook

__all__ = [
    "MAX_BODY_BYTES",
    "Intake",
    "SyncResult",
    "receive_platform_webhook",
    "store_calls",
    "sync_integration",
    "upsert_agent",
    "upsert_calls",
]
