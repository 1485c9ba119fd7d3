"""Outbound calling: leads (the people to call), the organization's do-not-call list, and lead imports.

Campaigns and their dial attempts come later (migration 0014) and point at `lead`; nothing here assumes
them. One lead per phone number per organization: an import merges into the lead that has the number.

Tags are rows of `lead_tag` rather than a JSON list on the lead: "leads tagged X" (the list filter, a
campaign's audience) is then an indexed join on PostgreSQL and SQLite alike, and counting or renaming a
tag is one statement.

An uploaded import file is kept in the database in chunks (`lead_import_chunk`, at most 1 MiB each, the
file at most 50 MB): the worker that runs the import may be on another machine than the web process that
received it (DESIGN.md §2), so a path under one machine's data directory would not do; chunks let the job
stream the file without ever holding it whole. The chunks are deleted once the import is done; the rows
that failed stay in `lead_import_error` with their original values (the downloadable error report).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from voiceconsole.models.types import JSONType, UTCDateTime, public_id, utcnow

LEAD_STATUSES = ("new", "queued", "in_progress", "contacted", "converted", "not_interested", "do_not_call", "invalid")
DNC_SOURCES = ("manual", "import", "call")
IMPORT_STATUSES = ("pending", "running", "done", "failed")


class Lead(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("organization_id", "phone", name="uq_lead_org_phone"),
        Index("ix_lead_org_created", "organization_id", "created_at"),
        Index("ix_lead_org_status", "organization_id", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: public_id("lead"), max_length=32, unique=True)
    organization_id: int = Field(foreign_key="organization.id")
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    phone: str = Field(max_length=16)  # E.164: "+" and at most 15 digits
    email: str | None = Field(default=None, max_length=320)
    company: str | None = Field(default=None, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)  # IANA; derived from the number when not given
    # The agent's dynamic variables come from here (campaigns map them): {"plan": "gold", …}, strings only.
    custom_fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    consent: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSONType, nullable=True)
    )  # {at, method, source}
    status: str = Field(default="new", max_length=16)  # LEAD_STATUSES
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LeadTag(SQLModel, table=True):
    __tablename__ = "lead_tag"
    __table_args__ = (Index("ix_lead_tag_org_tag", "organization_id", "tag"),)
    lead_id: int = Field(foreign_key="lead.id", primary_key=True)
    tag: str = Field(max_length=50, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id")


class DoNotCall(SQLModel, table=True):
    """A number the organization never dials, whatever a campaign says (checked again at dial time)."""

    __tablename__ = "do_not_call"
    __table_args__ = (
        UniqueConstraint("organization_id", "phone", name="uq_do_not_call_org_phone"),
        Index("ix_do_not_call_org_created", "organization_id", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id")
    phone: str = Field(max_length=16)  # E.164
    reason: str | None = Field(default=None, max_length=500)
    source: str = Field(default="manual", max_length=16)  # DNC_SOURCES
    added_by: str = Field(max_length=320)  # an email, an API key's name, "VoiceConsole"
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LeadImport(SQLModel, table=True):
    __tablename__ = "lead_import"
    __table_args__ = (Index("ix_lead_import_org_created", "organization_id", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: public_id("imp"), max_length=32, unique=True)
    organization_id: int = Field(foreign_key="organization.id")
    status: str = Field(default="pending", max_length=16)  # IMPORT_STATUSES
    filename: str | None = Field(default=None, max_length=255)
    size_bytes: int = Field(default=0)
    columns: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))  # the header
    mapping: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    total_rows: int = Field(default=0)  # data rows (the header not counted)
    rows_done: int = Field(default=0)  # progress, committed with the leads it wrote: a rerun resumes here
    created_count: int = Field(default=0)
    updated_count: int = Field(default=0)
    error_count: int = Field(default=0)  # rows refused
    failure: str | None = Field(default=None, max_length=1000)  # why a failed import failed
    created_by: str = Field(max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LeadImportChunk(SQLModel, table=True):
    """A piece of an uploaded file, in order (`seq` from 0)."""

    __tablename__ = "lead_import_chunk"
    __table_args__ = (UniqueConstraint("import_id", "seq", name="uq_lead_import_chunk_seq"),)
    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="lead_import.id")
    seq: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class LeadImportError(SQLModel, table=True):
    """A row an import refused: its line in the file, the first field at fault and the row as it was."""

    __tablename__ = "lead_import_error"
    __table_args__ = (Index("ix_lead_import_error_import_row", "import_id", "row"),)
    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="lead_import.id")
    row: int  # the line of the file (the header is line 1)
    field: str = Field(max_length=64)
    message: str = Field(max_length=500)
    values: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
