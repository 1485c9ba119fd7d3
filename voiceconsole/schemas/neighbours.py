"""The calls just before and after one call in a list, for stepping through it call by call."""

from __future__ import annotations

from datetime import datetime

from voiceconsole.schemas.base import PublicModel


class NeighbourCall(PublicModel):
    id: str  # cl_…
    started_at: datetime | None
    agent_name: str | None


class CallNeighbours(PublicModel):
    previous: NeighbourCall | None  # the row above the call in the list (None: it is the first)
    next: NeighbourCall | None  # the row below it (None: it is the last)
