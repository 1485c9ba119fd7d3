"""The deployment a database belongs to: one row, made by the migration that created the table."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from voiceconsole.models.types import UTCDateTime, utcnow


class Deployment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Stamped on every queued job: a worker runs only the jobs of its own database (see jobs/worker.py).
    instance_id: str = Field(max_length=36, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
