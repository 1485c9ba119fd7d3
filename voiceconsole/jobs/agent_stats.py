"""Recompute an agent's cached stats (its totals on the agents list) after new or rescored calls."""

from __future__ import annotations

from voiceconsole.db import session_scope
from voiceconsole.services.agents.stats import recompute_agent_stats


def recompute_agent_stats_job(agent_id: int) -> dict:
    with session_scope() as session:
        agent = recompute_agent_stats(session, agent_id=agent_id)
        return {"agent_id": agent_id, "total_calls": agent.total_calls if agent else None}
