"""The Agent Builder's memory: every saved spec of an agent as an immutable version, and every deploy.

Platforms version poorly (Vapi not at all, Retell per agent and opaquely), so VoiceConsole keeps the
history: a version is never changed once written; deploying, rolling back and importing a change made in
the vendor's console all add rows. A call is attributed to the version deployed when it started (the
latest `AgentDeployment` at or before its start)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from voiceconsole.models.types import JSONType, UTCDateTime, utcnow

VERSION_SOURCES = ("builder", "import", "platform", "coaching", "template")


class AgentVersion(SQLModel, table=True):
    __tablename__ = "agent_version"
    __table_args__ = (UniqueConstraint("agent_id", "number", name="uq_agent_version_number"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    agent_id: int = Field(foreign_key="agent.id")
    number: int  # 1, 2, 3… per agent
    # The AgentSpec as saved (schemas/agent_spec.py), webhook tool header values encrypted (services/security).
    spec: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    note: str = Field(default="", max_length=500)
    author: str = Field(max_length=320)  # who saved it: an email, an API key's name, "VoiceConsole"
    source: str = Field(default="builder", max_length=16)  # VERSION_SOURCES
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AgentDeployment(SQLModel, table=True):
    """A version made live on the platform (a rollback is a deployment of an older version)."""

    __tablename__ = "agent_deployment"
    __table_args__ = (Index("ix_agent_deployment_agent_at", "agent_id", "deployed_at"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    agent_id: int = Field(foreign_key="agent.id")
    version: int
    author: str = Field(max_length=320)
    deployed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
