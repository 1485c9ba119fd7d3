"""The backfill job: import the past calls of an agent that became monitored. Thin: it takes an id and
calls a service (services/intake/backfill.py)."""

from __future__ import annotations

from voiceconsole.services.intake.backfill import backfill_agent


def backfill_agent_job(agent_id: int) -> dict:
    return backfill_agent(agent_id).summary()
