"""The lead import wizard: upload a CSV file → map its columns → preview (the dry run) → import (a job).

The uploaded file is kept in Redis for the wizard's duration, not in this state (which is pickled on every
event) nor on one machine's disk: the web processes share Redis, so whichever one handles the next step finds
the file. Going back from the preview to the mapping keeps it.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import secrets
from typing import Any
from urllib.parse import urlencode

import reflex as rx

from voiceconsole.redis_client import get_redis
from voiceconsole.services.campaigns import imports
from voiceconsole.services.clients import list_clients
from voiceconsole.services.errors import DomainError
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.leads import NO_CLIENT, lead_name

UNMAPPED = "-"  # Radix selects cannot hold an empty value
UPLOAD_TTL_S = 2 * 3600
POLL_S = 1.0
POLL_LIMIT = 3600  # an hour of one-second polls; a 100,000-row import takes under a minute
ERRORS_PER_PAGE = 100
# Our fields in the mapping step, in order, with their labels.
FIELDS = [
    ("phone", "Phone (required)"),
    ("firstName", "First name"),
    ("lastName", "Last name"),
    ("email", "Email"),
    ("company", "Company"),
    ("timezone", "Time zone"),
    ("tags", "Tags"),
    ("consentAt", "Consent: when"),
    ("consentMethod", "Consent: how"),
    ("consentSource", "Consent: source"),
]
# Column names (lower-cased, letters and digits only) that say which field they hold: the service's own
# guesses (services/campaigns/imports.py) and a few more spellings a spreadsheet export uses.
GUESSES = {
    **{k: "phone" for k in ("phone", "phonenumber", "mobile", "telephone", "cell", "tel", "number")},
    **{k: "firstName" for k in ("firstname", "first", "givenname")},
    **{k: "lastName" for k in ("lastname", "last", "surname", "familyname")},
    **{k: "email" for k in ("email", "emailaddress", "mail")},
    **{k: "company" for k in ("company", "companyname", "organization", "organisation")},
    **{k: "timezone" for k in ("timezone", "tz")},
    **{k: "tags" for k in ("tags", "tag", "labels")},
    "consentat": "consentAt",
    "consentmethod": "consentMethod",
    "consentsource": "consentSource",
}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def custom_name(column: str) -> str:
    """A column's name as a custom field's (letters, digits, underscores; not starting with a digit)."""
    name = re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")[:64]
    return f"_{name}"[:64] if name[:1].isdigit() else name


def guess_mapping(columns: list[str]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Pre-fill the mapping from the header: each field from the first column whose name says it, and every
    other named column as a custom field (the user removes those not wanted)."""
    mapping = {field: UNMAPPED for field, _ in FIELDS}
    custom: list[dict[str, str]] = []
    for column in columns:
        field = GUESSES.get(_key(column))
        if field is not None and mapping[field] == UNMAPPED:
            mapping[field] = column
        elif column.strip() and custom_name(column):
            custom.append({"name": custom_name(column), "column": column})
    return mapping, custom


def plan_of(mapping: dict[str, str], custom: list[dict[str, str]]) -> dict[str, str]:
    """The mapping the import service takes: field → column, custom fields as `custom.<name>`."""
    plan = {field: column for field, column in mapping.items() if column and column != UNMAPPED}
    for item in custom:
        if item.get("column") and item["column"] != UNMAPPED:
            plan[f"custom.{item.get('name', '').strip()}"] = item["column"]
    return plan


def first_record(data: bytes) -> list[str]:
    """The file's first line as cells, read leniently: only to map a phone column for the upload's check
    (the service then reads the header itself, strictly)."""
    text = data[:65536].decode("utf-8-sig", errors="replace")
    return next(csv.reader(io.StringIO(text, newline="")), [])


class _AllAtOnce(io.BytesIO):
    """A file whose every read returns the rest. The service checks the size per chunk read; handed an oversized
    file whole, it refuses it at once instead of after parsing 50 MB of rows."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read()


def _stored(key: str) -> bytes | None:
    if not key:
        return None
    data = get_redis().get(key)
    return data if isinstance(data, bytes) else None


class LeadImportState(AuthState):
    step: str = "upload"  # upload | map | preview | running | done
    filename: str = ""
    columns: list[str] = []
    mapping: dict[str, str] = {}
    custom: list[dict[str, str]] = []
    tags: str = ""
    client_id: str = NO_CLIENT
    client_options: list[dict[str, str]] = []
    file_error: str = ""
    mapping_error: str = ""
    busy: bool = False
    # The dry run: counts, the preview rows, a page of the row errors (all of them kept in `_errors`).
    summary: dict[str, int] = {}
    preview: list[dict[str, str]] = []
    errors_page: int = 1
    errors_listed: int = 0  # the row errors the dry run listed (it counts past MAX_DRY_RUN_ERRORS)
    shown_errors: list[dict[str, str]] = []
    # The real import.
    import_id: str = ""
    job: dict[str, Any] = {}
    _errors: list[dict[str, str]] = []
    _upload_key: str = ""

    @rx.var
    def named_columns(self) -> list[str]:
        """The columns a select may offer (an unnamed column cannot be mapped by name)."""
        return [c for c in self.columns if c]

    @rx.var
    def errors_total(self) -> int:
        return int(self.summary.get("errors_total", 0))

    @rx.var
    def errors_pages(self) -> int:
        return max(1, -(-self.errors_listed // ERRORS_PER_PAGE))

    @rx.var
    def progress(self) -> int:
        total = int(self.job.get("totalRows") or 0)
        return min(100, round(100 * int(self.job.get("rowsDone") or 0) / total)) if total else 0

    @rx.var
    def failure(self) -> str:
        return str(self.job.get("failure") or "")

    @rx.var
    def error_report(self) -> str:
        """The refused rows' CSV (the API; the session cookie authenticates the download), once there are some."""
        return str(self.job.get("errorReportUrl") or "")

    @rx.var
    def leads_href(self) -> str:
        """The imported leads: the list filtered by the import's first tag, when it gave tags."""
        tags = (self.job.get("options") or {}).get("tags") or []
        return f"/leads?{urlencode({'tag': tags[0]})}" if tags else "/leads"

    @rx.event
    def load(self):
        """on_load: a fresh wizard, and the clients an import may assign its leads to."""
        self._forget_upload()
        self.step, self.filename, self.columns, self.mapping, self.custom = "upload", "", [], {}, []
        self.tags, self.client_id, self.file_error, self.mapping_error, self.busy = "", NO_CLIENT, "", "", False
        self._clear_preview()
        self.import_id, self.job = "", {}

        def show(clients) -> None:
            self.client_options = [{"id": c.id, "name": c.name} for c in clients]

        return self._org_action(lambda s: list_clients(s.session, org=s.org, actor=s.actor), done=show)

    def _forget_upload(self) -> None:
        if self._upload_key:
            get_redis().delete(self._upload_key)
        self._upload_key = ""

    def _clear_preview(self) -> None:
        self.summary, self.preview, self._errors, self.shown_errors, self.errors_page = {}, [], [], [], 1
        self.errors_listed = 0

    def _options(self) -> tuple[str, str | None, str]:
        client = None if self.client_id == NO_CLIENT else self.client_id
        return json.dumps(plan_of(self.mapping, self.custom)), client, self.tags

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        """Check the whole file as the import will (the service's messages for a file that is not UTF-8 CSV,
        too big, empty), then keep it and go to the mapping."""
        self.file_error = ""
        if not files:
            self.file_error = "Choose a CSV file first"
            return None
        data = await files[0].read(imports.MAX_IMPORT_BYTES + 1)
        name = (files[0].filename or "leads.csv").rsplit("/", 1)[-1][:255]
        header = [c.strip() for c in first_record(data)]
        check = {"phone": next((c for c in header if c), "")}
        file = _AllAtOnce(data) if len(data) > imports.MAX_IMPORT_BYTES else io.BytesIO(data)

        def work(s: OrgScope):
            return imports.dry_run(
                s.session,
                org=s.org,
                actor=s.actor,
                file=file,
                mapping=check,
                options=imports.ImportOptions(),
            )

        def failed(exc: DomainError) -> None:
            self.file_error = fmt.error_text(exc)

        def done(result) -> None:
            self._forget_upload()
            self._upload_key = f"vc:lead-upload:{secrets.token_urlsafe(24)}"
            get_redis().set(self._upload_key, data, ex=UPLOAD_TTL_S)
            self.filename, self.columns = name, list(result.columns)
            self.mapping, self.custom = guess_mapping(self.columns)
            self.mapping_error, self.step = "", "map"
            self._clear_preview()

        return self._org_action(work, failed=failed, done=done)

    @rx.event
    def set_mapping(self, field: str, column: str):
        self.mapping = {**self.mapping, field: column}

    @rx.event
    def set_custom(self, index: int, key: str, value: str):
        if 0 <= index < len(self.custom) and key in ("name", "column"):
            self.custom = [{**c, key: value} if i == index else c for i, c in enumerate(self.custom)]

    @rx.event
    def add_custom(self):
        self.custom = [*self.custom, {"name": "", "column": UNMAPPED}]

    @rx.event
    def remove_custom(self, index: int):
        self.custom = [c for i, c in enumerate(self.custom) if i != index]

    @rx.event
    def set_tags(self, value: str):
        self.tags = value[:2000]

    @rx.event
    def set_client(self, value: str):
        self.client_id = value

    @rx.event
    def back(self):
        """From the preview to the mapping (the file is kept), or from the mapping to another file."""
        if self.step == "preview":
            self.step = "map"
        elif self.step == "map":
            self._forget_upload()
            self.step, self.file_error = "upload", ""

    def _file(self) -> bytes | None:
        data = _stored(self._upload_key)
        if data is None:
            self.step, self.file_error = "upload", "The uploaded file expired: choose it again"
        return data

    @rx.event
    def run_preview(self):
        """The dry run with this mapping: what would be created or updated, and every row error."""
        self.mapping_error = ""
        data = self._file()
        if data is None:
            return None
        mapping, client, tags = self._options()

        def work(s: OrgScope):
            plan, options = imports.prepare(
                s.session, org=s.org, actor=s.actor, mapping=mapping, client_id=client, tags=tags
            )
            return imports.dry_run(
                s.session, org=s.org, actor=s.actor, file=io.BytesIO(data), mapping=plan, options=options
            )

        def failed(exc: DomainError) -> None:
            self.mapping_error = fmt.error_text(exc)

        def done(result) -> None:
            self.summary = {
                "total_rows": result.total_rows,
                "valid_rows": result.valid_rows,
                "would_create": result.would_create,
                "would_update": result.would_update,
                "errors_total": result.errors_total,
            }
            self.preview = [preview_row(p.row, p.action, p.lead) for p in result.preview]
            self._errors = [{"row": str(e.row), "field": e.field, "message": e.message} for e in result.errors]
            self.errors_listed = len(self._errors)
            self._show_errors(1)
            self.step = "preview"

        return self._org_action(work, failed=failed, done=done)

    @rx.event
    def show_errors_page(self, page: int):
        self._show_errors(page)

    def _show_errors(self, page: int) -> None:
        self.errors_page = max(1, min(page, self.errors_pages))
        start = (self.errors_page - 1) * ERRORS_PER_PAGE
        self.shown_errors = self._errors[start : start + ERRORS_PER_PAGE]

    @rx.event
    def start(self):
        """The real import: the file stored with the import, a job queued; then follow its progress."""
        data = self._file()
        if data is None:
            return None
        mapping, client, tags = self._options()
        filename = self.filename

        def work(s: OrgScope):
            plan, options = imports.prepare(
                s.session, org=s.org, actor=s.actor, mapping=mapping, client_id=client, tags=tags
            )
            return imports.start_import(
                s.session,
                org=s.org,
                actor=s.actor,
                file=io.BytesIO(data),
                filename=filename,
                mapping=plan,
                options=options,
            )

        def failed(exc: DomainError) -> None:
            # The file was checked at upload: what is refused now is the mapping or the options.
            self.mapping_error, self.step = fmt.error_text(exc), "map"

        def done(out) -> Any:
            self._forget_upload()
            self.import_id, self.job, self.step = out.id, out.wire(), "running"
            return LeadImportState.follow

        return self._org_action(work, failed=failed, done=done)

    @rx.event(background=True)
    async def follow(self):
        """Read the import's progress every second until its job is done (or failed), while on the page."""
        for _ in range(POLL_LIMIT):
            await asyncio.sleep(POLL_S)
            async with self:
                if self.step != "running" or not self.router.url.path.rstrip("/").endswith("/leads/import"):
                    return
                import_id = self.import_id

                def read(s: OrgScope, import_id: str = import_id):
                    return imports.get_import(s.session, org=s.org, actor=s.actor, import_id=import_id)

                def show(out) -> None:
                    self.job = out.wire()
                    if out.status in ("done", "failed"):
                        self.step = "done"

                self._org_action(read, failed=lambda exc: None, done=show)
                if self.step == "done":
                    return


def preview_row(row: int, action: str, lead: dict[str, Any]) -> dict[str, str]:
    """A dry run's preview row as the table shows it."""
    custom = lead.get("customFields") or {}
    return {
        "row": str(row),
        "action": "Update" if action == "update" else "New",
        "name": lead_name(lead),
        "phone": lead.get("phone") or "",
        "email": lead.get("email") or "",
        "company": lead.get("company") or "",
        "tags": ", ".join(lead.get("tags") or []),
        "custom": ", ".join(f"{k}: {v}" for k, v in custom.items()),
        "status": lead.get("status") or "",
    }
