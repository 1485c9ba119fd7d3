"""/report: the weekly report of a client (a client viewer's own; staff choose one with `?client=cli_…`, or
get the whole agency's). Printable."""

from __future__ import annotations

from typing import Any

import reflex as rx

from voiceconsole.services import clients as clients_service
from voiceconsole.services.errors import NotFound
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.dashboard import kpi_cards
from voiceconsole.ui.state.period_page import calls_query, category_rows, linked_call_rows


def issue_rows(issues: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"category": fmt.label(i["category"]), "reason": i["reason"], "calls": f"{i['calls']:,} calls"} for i in issues
    ]


class ReportState(AuthState):
    title: str = "Weekly report"
    period_label: str = ""
    kpis: list[dict[str, str]] = []
    categories: list[dict[str, str]] = []
    issues: list[dict[str, str]] = []
    best: list[dict[str, str]] = []
    worst: list[dict[str, str]] = []
    calls_href: str = "/calls"
    not_found: bool = False
    loading: bool = True

    def _read(self, scope: OrgScope) -> dict[str, Any]:
        wanted = self.router.url.query_parameters.get("client") or None
        report = clients_service.weekly_report(scope.session, org=scope.org, actor=scope.actor, client_id=wanted)
        return report.wire()

    def _show(self, report: dict[str, Any]) -> None:
        client = report.get("client")
        self.title = f"Weekly report · {client['name']}" if client else "Weekly report"
        start, end = fmt.parse_iso(report["period"]["from"]), fmt.parse_iso(report["period"]["to"])
        self.period_label = fmt.period_label(start, end) if start and end else ""
        self.kpis = kpi_cards(report["figures"])
        self.categories = category_rows(report["categories"])
        self.issues = issue_rows(report["topIssues"])
        filters = {"date_from": (start.date().isoformat() if start else "")}
        if client:
            filters["client"] = client["id"]
        query = calls_query(filters, worst=True)
        self.calls_href = f"/calls?{query}" if query else "/calls"
        self.best = linked_call_rows(report["bestCalls"], self.timezone, query)
        self.worst = linked_call_rows(report["worstCalls"], self.timezone, query)
        self.not_found = False
        self.loading = False

    def _missing(self, _exc: Exception) -> None:
        self.not_found = True
        self.loading = False

    @rx.event
    def load(self):
        self.loading = True
        return self._org_action(self._read, done=self._show, failed=self._missing, catch=NotFound)

    @rx.event
    def print_page(self):
        return rx.call_script("window.print()")
