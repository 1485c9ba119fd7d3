"""Settings → Audit log: who changed what, when and from where (owners and admins), filtered and paged."""

from __future__ import annotations

import reflex as rx

from voiceconsole.schemas import AuditEntryOut
from voiceconsole.services.access import audit
from voiceconsole.services.errors import DomainError, Forbidden, ValidationFailed
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope

PER_PAGE = 25


def entry_row(e: AuditEntryOut, tz: str) -> dict[str, str]:
    target = f"{e.target_type} {e.target_id}" if e.target_type and e.target_id else (e.target_type or "")
    return {
        "when": fmt.datetime_label(e.created_at, tz),
        "action": e.action,
        "actor": e.actor.name,
        "target": target,
        "source": e.source,
    }


class AuditLogState(AuthState):
    entries: list[dict[str, str]] = []
    page: int = 1
    total: int = 0
    actor_filter: str = ""
    action_filter: str = ""
    error: str = ""
    filter_error: str = ""

    @rx.var
    def page_label(self) -> str:
        if self.total == 0:
            return "No entries"
        first = (self.page - 1) * PER_PAGE + 1
        return f"{first}–{min(self.page * PER_PAGE, self.total)} of {fmt.count(self.total)}"

    @rx.var
    def has_next(self) -> bool:
        return self.page * PER_PAGE < self.total

    def _reload(self, scope: OrgScope) -> None:
        filters = audit.AuditFilters(actor=self.actor_filter or None, action=self.action_filter or None)
        entries, self.total = audit.list_audit_log(
            scope.session, org=scope.org, actor=scope.actor, filters=filters, page=self.page, per_page=PER_PAGE
        )
        self.entries = [entry_row(e, self.timezone) for e in entries]

    def _failed(self, exc: DomainError) -> None:
        if isinstance(exc, ValidationFailed):
            self.filter_error = fmt.error_text(exc)
        else:
            self.error = fmt.error_text(exc)
        self.entries, self.total = [], 0

    def _refresh(self):
        self.error = self.filter_error = ""
        return self._org_action(self._reload, failed=self._failed, catch=(Forbidden, ValidationFailed))

    @rx.event
    def load(self):
        self.page = 1
        self.actor_filter = self.action_filter = ""
        self.entries = []
        return self._refresh()

    @rx.event
    def apply_filters(self, form_data: dict):
        self.actor_filter = str(form_data.get("actor") or "").strip()
        self.action_filter = str(form_data.get("action") or "").strip()
        self.page = 1
        return self._refresh()

    @rx.event
    def next_page(self):
        if self.has_next:
            self.page += 1
        return self._refresh()

    @rx.event
    def previous_page(self):
        self.page = max(1, self.page - 1)
        return self._refresh()
