"""An agency's clients."""

from __future__ import annotations

from datetime import datetime

from voiceconsole.schemas.base import PublicModel


class ClientDeleted(PublicModel):
    id: str
    deleted: bool = True
    unassigned_agents: int  # its agents, now serving no client


class ClientOut(PublicModel):
    id: str  # cli_…
    name: str
    agent_count: int = 0
    # What the client's viewers see in their portal besides calls and scores (both off by default).
    show_costs: bool = False
    show_agent_config: bool = False  # agent prompts, voice and model
    created_at: datetime
