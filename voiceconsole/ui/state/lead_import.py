"""The lead import wizard: upload a CSV file → map its columns → preview (the dry run) → import (a job).

The slow steps (the upload's check of the whole file, the preview's dry run, the import's start: a 50 MB file
is half a million rows, about 100 s to check) run as background events, their service calls in a worker thread
(ui/state/lead_import_work.py): the state lock is held only to read and write vars, so the page stays live and
a Redis state lock never expires under them. Meanwhile `busy` shows "Checking N MB…" and disables the buttons;
a second click while busy starts nothing. The uploaded file is kept in Redis (see lead_import_work.py); going
back from the preview to the mapping keeps it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx

from voiceconsole.models import Organization
from voiceconsole.schemas.leads import ImportDryRun, LeadImportOut
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.campaigns import imports
from voiceconsole.services.clients import list_clients
from voiceconsole.services.errors import DomainError
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state import lead_import_work as work
from voiceconsole.ui.state.auth import LOGIN_ROUTE, AuthState, NotSignedIn
from voiceconsole.ui.state.lead_import_job import LeadImportJobMixin
from voiceconsole.ui.state.lead_import_mapping import (
    FIELDS,
    UNMAPPED,
    checking_text,
    errors_of,
    guess_mapping,
    plan_of,
    preview_row,
    size_text,
    summary_of,
)
from voiceconsole.ui.state.leads import NO_CLIENT

__all__ = ["FIELDS", "UNMAPPED", "LeadImportState"]

ERRORS_PER_PAGE = 100
EXPIRED_TEXT = "The uploaded file expired: choose it again"
T = TypeVar("T")


async def _in_thread(state: LeadImportState, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in a worker thread (the event loop and the state lock stay free); if it raises, the wizard
    is no longer busy."""
    try:
        return await asyncio.to_thread(fn, *args)
    except BaseException:
        async with state:
            state.busy, state.busy_text = False, ""
        raise


class LeadImportState(LeadImportJobMixin, AuthState):
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
    # A slow step under way (a background event): what it is doing, e.g. "Checking 12 MB…".
    busy: bool = False
    busy_text: str = ""
    # The dry run: counts, the preview rows, a page of the row errors (all of them kept in `_errors`).
    summary: dict[str, int] = {}
    preview: list[dict[str, str]] = []
    errors_page: int = 1
    errors_listed: int = 0  # the row errors the dry run listed (it counts past MAX_DRY_RUN_ERRORS)
    shown_errors: list[dict[str, str]] = []
    _errors: list[dict[str, str]] = []
    _upload_key: str = ""  # the checked file (Redis)
    _upload_size: int = 0
    _pending_key: str = ""  # an uploaded file waiting for its check (Redis)
    _pending_name: str = ""
    _pending_size: int = 0

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

    @rx.event
    def load(self):
        """on_load: a fresh wizard, and the clients an import may assign its leads to."""
        self._forget_upload()
        work.forget(self._pending_key)
        self._pending_key = self._pending_name = ""
        self.step, self.filename, self.columns, self.mapping, self.custom = "upload", "", [], {}, []
        self.tags, self.client_id, self.file_error, self.mapping_error = "", NO_CLIENT, "", ""
        self.busy, self.busy_text = False, ""
        self._clear_preview()
        self.import_id, self.job = "", {}

        def show(clients) -> None:
            self.client_options = [{"id": c.id, "name": c.name} for c in clients]

        return self._org_action(lambda s: list_clients(s.session, org=s.org, actor=s.actor), done=show)

    def _forget_upload(self) -> None:
        work.forget(self._upload_key)
        self._upload_key, self._upload_size = "", 0

    def _clear_preview(self) -> None:
        self.summary, self.preview, self._errors, self.shown_errors, self.errors_page = {}, [], [], [], 1
        self.errors_listed = 0

    def _options(self) -> tuple[str, str | None, str]:
        client = None if self.client_id == NO_CLIENT else self.client_id
        return json.dumps(plan_of(self.mapping, self.custom)), client, self.tags

    def _signed_in(self) -> tuple[Organization, Actor] | None:
        """Who acts, for a worker thread's own session (None once signed out). Call under the lock."""
        try:
            with self.open_org() as scope:
                return scope.org, scope.actor
        except NotSignedIn:
            return None

    def _claim(self, text: str) -> tuple[Organization, Actor] | None:
        """Become busy for a slow step (under the lock, not busy already): who acts, or None when signed out."""
        who = self._signed_in()
        if who is not None:
            self.busy, self.busy_text = True, text
        return who

    @rx.event
    def file_rejected(self, rejections: list[dict]):
        """The browser refused the file before sending it (over the size limit, not a CSV)."""
        self.file_error = fmt.upload_rejected(rejections, imports.MAX_IMPORT_BYTES)

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        """Keep the chosen file and have it checked in the background (`check_upload`): an upload handler
        cannot be a background event, so this one only reads the file (at most 50 MB and a byte)."""
        if self.busy:
            return None
        self.file_error = ""
        if not files:
            self.file_error = "Choose a CSV file first"
            return None
        data = await files[0].read(imports.MAX_IMPORT_BYTES + 1)
        work.forget(self._pending_key)
        self._pending_key = work.keep(data)
        self._pending_name = (files[0].filename or "leads.csv").rsplit("/", 1)[-1][:255]
        self._pending_size = len(data)
        self.busy, self.busy_text = True, checking_text(len(data))
        # Started by the browser, over the websocket: an event chained here would run inside the upload's
        # response stream, whose updates (this busy message) the browser applies only once it ends.
        return rx.call_script("null", callback=LeadImportState.check_upload)

    @rx.event(background=True)
    async def check_upload(self):
        """Check the whole uploaded file as the import will (the service's messages for a file that is not
        UTF-8 CSV, too big, empty), then go to the mapping with it."""
        async with self:
            key, name, size = self._pending_key, self._pending_name, self._pending_size
            self._pending_key = self._pending_name = ""  # claimed: a second run finds nothing to check
            if not key:
                return None
            who = self._signed_in()
            if who is None:
                work.forget(key)
                self.busy, self.busy_text = False, ""
                return rx.redirect(LOGIN_ROUTE)
        try:
            outcome = await _in_thread(self, work.check_upload, *who, key)
        except BaseException:
            work.forget(key)
            raise
        async with self:
            self.busy, self.busy_text = False, ""
            if not isinstance(outcome, ImportDryRun):
                work.forget(key)
                self.file_error = EXPIRED_TEXT if outcome == work.EXPIRED else fmt.error_text(outcome)
                return None
            self._forget_upload()
            self._upload_key, self._upload_size = key, size
            self.filename, self.columns = name, list(outcome.columns)
            self.mapping, self.custom = guess_mapping(self.columns)
            self.mapping_error, self.file_error, self.step = "", "", "map"
            self._clear_preview()
        return None

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
        if self.busy:
            return
        if self.step == "preview":
            self.step = "map"
        elif self.step == "map":
            self._forget_upload()
            self.step, self.file_error = "upload", ""

    def _expired(self) -> None:
        self._forget_upload()
        self.step, self.file_error = "upload", EXPIRED_TEXT

    @rx.event(background=True)
    async def run_preview(self):
        """The dry run with this mapping: what would be created or updated, and every row error."""
        async with self:
            if self.busy:
                return None
            self.mapping_error = ""
            if not self._upload_key:
                self._expired()
                return None
            who = self._claim(checking_text(self._upload_size))
            if who is None:
                return rx.redirect(LOGIN_ROUTE)
            key, (mapping, client, tags) = self._upload_key, self._options()
        outcome = await _in_thread(self, work.dry_run, *who, key, mapping, client, tags)
        async with self:
            self.busy, self.busy_text = False, ""
            if outcome == work.EXPIRED:
                self._expired()
            elif isinstance(outcome, DomainError):
                self.mapping_error = fmt.error_text(outcome)
            elif isinstance(outcome, ImportDryRun):
                self.summary = summary_of(outcome)
                self.preview = [preview_row(p.row, p.action, p.lead) for p in outcome.preview]
                self._errors = errors_of(outcome)
                self.errors_listed = len(self._errors)
                self._show_errors(1)
                self.step = "preview"
        return None

    @rx.event
    def show_errors_page(self, page: int):
        self._show_errors(page)

    def _show_errors(self, page: int) -> None:
        self.errors_page = max(1, min(page, self.errors_pages))
        start = (self.errors_page - 1) * ERRORS_PER_PAGE
        self.shown_errors = self._errors[start : start + ERRORS_PER_PAGE]

    @rx.event(background=True)
    async def start(self):
        """The real import: the file stored with the import, a job queued; then follow its progress."""
        async with self:
            if self.busy:
                return None
            if not self._upload_key:
                self._expired()
                return None
            who = self._claim(f"Starting the import of {size_text(self._upload_size)}…")
            if who is None:
                return rx.redirect(LOGIN_ROUTE)
            key, filename, (mapping, client, tags) = self._upload_key, self.filename, self._options()
        outcome = await _in_thread(self, work.start_import, *who, key, filename, mapping, client, tags)
        async with self:
            self.busy, self.busy_text = False, ""
            if outcome == work.EXPIRED:
                self._expired()
            elif isinstance(outcome, DomainError):
                # The file was checked at upload: what is refused now is the mapping or the options.
                self.mapping_error, self.step = fmt.error_text(outcome), "map"
            elif isinstance(outcome, LeadImportOut):
                self._forget_upload()
                self.import_id, self.job, self.step = outcome.id, outcome.wire(), "running"
                return LeadImportState.follow
        return None
