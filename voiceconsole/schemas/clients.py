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
    created_at: datetime
