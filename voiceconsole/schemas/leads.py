"""Leads, the do-not-call list and lead imports, as the API and the UI show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from voiceconsole.schemas.base import PublicModel


class Consent(PublicModel):
    at: datetime | None = None  # when the person agreed to be called
    method: str | None = None  # how: "web_form", "verbal", "paper", …
    source: str | None = None  # where: a form's URL, a campaign name, …


class LeadOut(PublicModel):
    id: str  # lead_…
    first_name: str | None
    last_name: str | None
    phone: str  # E.164
    email: str | None
    company: str | None
    timezone: str | None  # IANA
    client_id: str | None  # cli_…
    tags: list[str]
    custom_fields: dict[str, Any]
    consent: Consent | None
    status: str
    created_at: datetime
    updated_at: datetime


class LeadDeleted(PublicModel):
    id: str
    deleted: bool = True


class DoNotCallOut(PublicModel):
    phone: str  # E.164
    reason: str | None
    source: str  # manual | import | call
    added_by: str
    created_at: datetime


class DoNotCallAdded(DoNotCallOut):
    added: bool  # False: the number was on the list already (the entry is unchanged)
    leads_marked: int  # leads with the number, now `do_not_call`


class DoNotCallRemoved(PublicModel):
    phone: str
    removed: bool = True
    leads_restored: int  # leads that were `do_not_call` because of this number, now `new` again


class DoNotCallImported(PublicModel):
    rows: int
    added: int
    already_listed: int
    leads_marked: int
    errors: list[RowError]


class RowError(PublicModel):
    row: int  # the line of the file; the header is line 1
    field: str
    message: str


class ImportPreviewRow(PublicModel):
    row: int
    action: str  # "create" | "update" (a lead with the number exists: merged into it)
    lead: dict[str, Any]  # as it would be stored (the fields the file gives)


class ImportDryRun(PublicModel):
    dry_run: bool = True
    columns: list[str]
    total_rows: int
    valid_rows: int
    would_create: int
    would_update: int
    preview: list[ImportPreviewRow]
    errors: list[RowError]
    errors_total: int  # `errors` stops at MAX_DRY_RUN_ERRORS; this counts them all


class LeadImportOut(PublicModel):
    id: str  # imp_…
    status: str  # pending | running | done | failed
    filename: str | None
    size_bytes: int
    columns: list[str]
    mapping: dict[str, str]
    options: dict[str, Any]
    total_rows: int
    rows_done: int
    progress: float  # rows_done / total_rows, 0–1
    created: int
    updated: int
    errors: int
    failure: str | None
    error_report_url: str | None  # the refused rows as CSV, once there are some
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


DoNotCallImported.model_rebuild()
