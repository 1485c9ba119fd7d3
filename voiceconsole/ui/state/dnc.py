"""The do-not-call list: search, pages, add a number, remove one (owners and admins), import a CSV file."""

from __future__ import annotations

import io
from typing import Any

import reflex as rx

from voiceconsole.services.campaigns import dnc
from voiceconsole.services.errors import DomainError
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.confirmation import ConfirmationMixin

PER_PAGE = 25
MAX_SHOWN_IMPORT_ERRORS = 200  # an import's unreadable rows shown at once (the count says how many in all)
SOURCE_LABELS = {"manual": "Added by hand", "import": "Imported", "call": "Asked on a call"}


def dnc_row(wire: dict[str, Any], tz: str) -> dict[str, str]:
    return {
        "phone": wire["phone"],
        "reason": wire.get("reason") or "",
        "source": SOURCE_LABELS.get(wire.get("source") or "", fmt.label(wire.get("source"))),
        "added_by": wire.get("addedBy") or "",
        "added": fmt.datetime_label(wire.get("createdAt"), tz, short=True),
    }


def import_summary(out: Any) -> str:
    """What a list import did, in one sentence."""
    parts = [f"{out.added:,} added", f"{out.already_listed:,} already listed"]
    if out.leads_marked:
        parts.append(f"{out.leads_marked:,} leads marked do-not-call")
    if out.errors:
        parts.append(f"{len(out.errors):,} rows unreadable")
    return f"{out.rows:,} rows: " + ", ".join(parts) + "."


class DncState(ConfirmationMixin, AuthState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    search: str = ""
    error: str = ""
    add_open: bool = False
    add_errors: dict[str, str] = {}
    add_error: str = ""
    import_summary: str = ""
    import_error: str = ""
    import_errors: list[dict[str, str]] = []

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PER_PAGE))

    @rx.var
    def range_label(self) -> str:
        if self.total == 0:
            return "No numbers"
        first, last = (self.page - 1) * PER_PAGE + 1, min(self.page * PER_PAGE, self.total)
        return f"Showing {first:,}–{last:,} of {self.total:,}"

    @rx.event
    def load(self):
        self.rows, self.total, self.page, self.search, self.error = [], 0, 1, "", ""
        self.import_summary, self.import_error, self.import_errors = "", "", []
        return self._fetch()

    def _fetch(self):
        search, page, tz = self.search, self.page, self.timezone

        def read(s: OrgScope):
            return dnc.list_numbers(s.session, org=s.org, actor=s.actor, search=search, page=page, per_page=PER_PAGE)

        def failed(exc: DomainError) -> None:
            self.rows, self.total, self.error = [], 0, fmt.error_text(exc)

        def show(result) -> None:
            rows, self.total = result
            self.rows, self.error = [dnc_row(r.wire(), tz) for r in rows], ""

        return self._org_action(read, failed=failed, done=show)

    @rx.event
    def set_search(self, value: str):
        self.search, self.page = (value or "")[:40], 1
        return self._fetch()

    @rx.event
    def next_page(self):
        if self.page < self.page_count:
            self.page += 1
            return self._fetch()
        return None

    @rx.event
    def prev_page(self):
        if self.page > 1:
            self.page -= 1
            return self._fetch()
        return None

    @rx.event
    def set_add_open(self, is_open: bool):
        self.add_open, self.add_errors, self.add_error = is_open, {}, ""

    @rx.event
    def add(self, form_data: dict):
        phone, reason = str(form_data.get("phone") or ""), str(form_data.get("reason") or "")

        def failed(exc: DomainError) -> None:
            details = getattr(exc, "details", None) or []
            self.add_errors = {
                str(d["field"]): str(d.get("message") or "") for d in details if d.get("field") in ("phone", "reason")
            }
            self.add_error = "" if self.add_errors else fmt.error_text(exc)

        def done(out) -> Any:
            self.add_open, self.add_errors, self.add_error, self.page = False, {}, "", 1
            self._fetch()
            if not out.added:
                return rx.toast.info(f"{out.phone} was on the list already")
            marked = f" ({out.leads_marked} leads marked do-not-call)" if out.leads_marked else ""
            return rx.toast.success(f"{out.phone} added{marked}")

        return self._org_action(
            lambda s: dnc.add_number(s.session, org=s.org, actor=s.actor, phone=phone, reason=reason or None),
            failed=failed,
            done=done,
        )

    @rx.event
    def ask_remove(self, phone: str):
        self._ask_confirmation("remove", phone, phone)

    @rx.event
    def remove(self):
        pending = self._take_confirmation("remove")
        if pending is None:
            return None
        phone = pending[0]

        def failed(exc: DomainError) -> None:
            self.error = fmt.error_text(exc)

        def done(out) -> Any:
            self._fetch()
            restored = f" ({out.leads_restored} leads back to new)" if out.leads_restored else ""
            return rx.toast.success(f"{out.phone} removed{restored}")

        return self._org_action(
            lambda s: dnc.remove_number(s.session, org=s.org, actor=s.actor, phone=phone), failed=failed, done=done
        )

    @rx.event
    def file_rejected(self, rejections: list[dict]):
        """The browser refused the file before sending it (over the size limit, not a CSV)."""
        self.import_summary, self.import_errors = "", []
        self.import_error = fmt.upload_rejected(rejections, dnc.MAX_DNC_IMPORT_BYTES)

    @rx.event
    async def import_file(self, files: list[rx.UploadFile]):
        self.import_summary, self.import_error, self.import_errors = "", "", []
        if not files:
            self.import_error = "Choose a CSV file first"
            return None
        data = await files[0].read(dnc.MAX_DNC_IMPORT_BYTES + 1)

        def failed(exc: DomainError) -> None:
            self.import_error = fmt.error_text(exc)

        def done(out) -> None:
            self.import_summary = import_summary(out)
            self.import_errors = [
                {"row": str(e.row), "message": e.message} for e in out.errors[:MAX_SHOWN_IMPORT_ERRORS]
            ]
            self.page = 1
            self._fetch()

        return self._org_action(
            lambda s: dnc.import_numbers(s.session, org=s.org, actor=s.actor, file=io.BytesIO(data)),
            failed=failed,
            done=done,
        )
