"""Agents as the platforms report them: the list with cached all-time figures, one agent with trends and
the period overview for the dashboard (`overview`), one agent's page (`profile`), and the cached figures'
upkeep (`stats`).
Building and deploying agents is the Agent Builder's, not this package's."""

from voiceconsole.services.agents.overview import (
    AGENT_SORT_COLUMNS,
    agent_summary,
    agents_overview,
    get_agent,
    list_agents,
)
from voiceconsole.services.agents.profile import agent_profile
from voiceconsole.services.agents.stats import recompute_agent_stats

__all__ = [
    "AGENT_SORT_COLUMNS",
    "agent_profile",
    "agent_summary",
    "agents_overview",
    "get_agent",
    "list_agents",
    "recompute_agent_stats",
]
