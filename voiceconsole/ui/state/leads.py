"""The leads list: filters, server-side pagination and the "Add lead" dialog."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import reflex as rx

from voiceconsole.models import LEAD_STATUSES
from voiceconsole.services.campaigns import leads
from voiceconsole.services.campaigns.leads import LeadFilters
from voiceconsole.services.clients import list_clients
from voiceconsole.services.errors import DomainError
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope

ALL = "all"  # Radix selects cannot hold an empty value
NO_CLIENT = "none"
PER_PAGE = 20
DEFAULT_FILTERS: dict[str, str] = {"search": "", "status": ALL, "tag": "", "client": ALL}
STATUS_OPTIONS = [(s, fmt.label(s).replace("Do not call", "Do-not-call")) for s in LEAD_STATUSES]
# The form's input names → the service's field names (its errors name the wire names of `leads.WIRE`).
ADD_FIELDS = ("first_name", "last_name", "phone", "email", "company", "tags")


def lead_name(wire: dict[str, Any]) -> str:
    name = " ".join(p for p in (wire.get("firstName"), wire.get("lastName")) if p)
    return name or fmt.DASH


def lead_row(
    wire: dict[str, Any], clients: dict[str, str], summary: tuple[int, datetime | None] | None, tz: str
) -> dict[str, str]:
    """A lead (wire dict) as the display strings one table row needs."""
    attempts, last = summary or (0, None)
    return {
        "id": wire["id"],
        "href": f"/leads/{wire['id']}",
        "name": lead_name(wire),
        "phone": wire["phone"],
        "email": wire.get("email") or "",
        "company": wire.get("company") or "",
        "client": clients.get(wire.get("clientId") or "", ""),
        "tags": ", ".join(wire.get("tags") or []),
        "status": wire["status"],
        "attempts": str(attempts),
        "last_attempt": fmt.datetime_label(last, tz, short=True) if last else fmt.DASH,
    }


def filters_from(values: dict[str, str]) -> LeadFilters:
    def pick(name: str) -> str | None:
        value = (values.get(name) or "").strip()
        return None if value in ("", ALL) else value

    return LeadFilters(status=pick("status"), tag=pick("tag"), client_id=pick("client"), search=pick("search"))


def field_errors(exc: DomainError, known: tuple[str, ...]) -> tuple[dict[str, str], str]:
    """A refusal's details as (the first message per form field, the rest as one message). `known` are the
    form's fields by the service's snake_case names; details name their wire (camelCase) names."""
    by_wire = {leads.WIRE.get(name, name): name for name in known}
    fields: dict[str, str] = {}
    other: list[str] = []
    for detail in getattr(exc, "details", None) or []:
        name = by_wire.get(str(detail.get("field")))
        if name is not None:
            fields.setdefault(name, str(detail.get("message") or ""))
        elif detail.get("message"):
            other.append(str(detail["message"]))
    if not fields and not other:
        other.append(fmt.error_text(exc))
    return fields, " ".join(other)


class LeadsState(AuthState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    filters: dict[str, str] = dict(DEFAULT_FILTERS)
    client_options: list[dict[str, str]] = []
    error: str = ""
    # The "Add lead" dialog: open or not, each field's refusal, a refusal naming no field.
    add_open: bool = False
    add_errors: dict[str, str] = {}
    add_error: str = ""

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PER_PAGE))

    @rx.var
    def range_label(self) -> str:
        if self.total == 0:
            return "No leads"
        first, last = (self.page - 1) * PER_PAGE + 1, min(self.page * PER_PAGE, self.total)
        return f"Showing {first:,}–{last:,} of {self.total:,}"

    @rx.var
    def page_label(self) -> str:
        return f"Page {self.page:,} of {self.page_count:,}"

    @rx.var
    def has_filters(self) -> bool:
        return self.filters != DEFAULT_FILTERS

    @rx.event
    def load(self):
        """on_load: the clients (filter and dialog), then the first page. A `?tag=` link opens that tag."""
        self.rows, self.total, self.error = [], 0, ""
        tag = (self.router.url.query_parameters.get("tag") or "").strip()
        if tag:
            self.filters, self.page = {**DEFAULT_FILTERS, "tag": tag[:50]}, 1

        def show(clients):
            self.client_options = [{"id": c.id, "name": c.name} for c in clients]
            return self._fetch()

        return self._org_action(lambda s: list_clients(s.session, org=s.org, actor=s.actor), done=show)

    def _fetch(self):
        self.error = ""
        filters, page, tz = filters_from(self.filters), self.page, self.timezone
        clients = {c["id"]: c["name"] for c in self.client_options}

        def read(s: OrgScope):
            rows, total = leads.list_leads(
                s.session, org=s.org, actor=s.actor, filters=filters, page=page, per_page=PER_PAGE
            )
            summaries = leads.attempt_summaries(s.session, org=s.org, actor=s.actor, lead_ids=[r.id for r in rows])
            return [lead_row(r.wire(), clients, summaries.get(r.id), tz) for r in rows], total

        def failed(exc: DomainError) -> None:
            self.rows, self.total = [], 0
            self.error = fmt.error_text(exc)

        def show(result) -> None:
            self.rows, self.total = result

        return self._org_action(read, failed=failed, done=show)

    @rx.event
    def set_filter(self, name: str, value: str):
        if name not in DEFAULT_FILTERS:
            return None
        self.filters = {**self.filters, name: (value or "")[:200]}
        self.page = 1
        return self._fetch()

    @rx.event
    def clear_filters(self):
        self.filters, self.page = dict(DEFAULT_FILTERS), 1
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
        self.add_open = is_open
        self.add_errors, self.add_error = {}, ""

    @rx.event
    def add_lead(self, form_data: dict):
        """Create the lead from the dialog; a refusal keeps the dialog open with each field's message."""
        given = {name: str(form_data.get(name) or "") for name in ADD_FIELDS}
        client = str(form_data.get("client") or NO_CLIENT)
        client_id = None if client == NO_CLIENT else client

        def failed(exc: DomainError) -> None:
            self.add_errors, self.add_error = field_errors(exc, (*ADD_FIELDS, "client_id"))

        def done(out) -> Any:
            self.add_open, self.add_errors, self.add_error = False, {}, ""
            self.page = 1
            self._fetch()
            return rx.toast.success(f"Lead {lead_name(out.wire())} added")

        return self._org_action(
            lambda s: leads.create_lead(s.session, org=s.org, actor=s.actor, given=given, client_id=client_id),
            failed=failed,
            done=done,
        )
