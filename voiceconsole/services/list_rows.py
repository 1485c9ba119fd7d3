"""List pages read as plain columns, not ORM objects (no per-row instrumentation on every list request).

A row's agent and client come back as small refs with the attribute names of `Agent` and `Client`, so one
summary function serves both a list row and a loaded object (the detail endpoints).
"""

from __future__ import annotations

from typing import NamedTuple

from voiceconsole.models import Agent, Client


class AgentRef(NamedTuple):
    platform_agent_id: str
    name: str


class ClientRef(NamedTuple):
    public_id: str
    name: str


AGENT_REF_COLUMNS = (Agent.platform_agent_id.label("agent_platform_id"), Agent.name.label("agent_name"))
CLIENT_REF_COLUMNS = (Client.public_id.label("client_public_id"), Client.name.label("client_name"))


def agent_ref(row) -> AgentRef | None:  # noqa: ANN001 — a Row with AGENT_REF_COLUMNS
    return AgentRef(row.agent_platform_id, row.agent_name) if row.agent_platform_id is not None else None


def client_ref(row) -> ClientRef | None:  # noqa: ANN001 — a Row with CLIENT_REF_COLUMNS
    return ClientRef(row.client_public_id, row.client_name) if row.client_public_id is not None else None
