"""The calls list: filters, sorting and server-side pagination."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import reflex as rx

from voiceconsole.services.agents import list_agents
from voiceconsole.services.calls import SORT_COLUMNS, CallFilters, page_calls, split_tags
from voiceconsole.services.calls import listing as calls_listing
from voiceconsole.services.clients import list_clients
from voiceconsole.services.errors import DomainError
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope

ALL = "all"  # Radix selects cannot hold an empty value
PER_PAGE = 20
DEFAULT_FILTERS: dict[str, str] = {
    "search": "",
    "client": ALL,
    "agent": ALL,
    "status": ALL,
    "sentiment": ALL,
    "direction": ALL,
    "platform": ALL,
    "min_score": ALL,
    "max_score": ALL,
    "tags": "",
    "date_from": "",
    "date_to": "",
    "scored": ALL,
}


def call_row(wire: dict[str, Any], tz: str, *, now: datetime | None = None) -> dict[str, str]:
    """A call summary (wire dict) as the display strings one table row needs. A call still in progress
    shows how long it has been going on (as of `now`) where the duration goes, and no cost yet."""
    row = {
        "id": wire["id"],
        "href": f"/calls/{wire['id']}",
        "started": fmt.datetime_label(wire.get("startedAt"), tz, short=True),
        "agent": wire.get("agentName") or fmt.DASH,
        "agent_short": fmt.middle_ellipsis(wire.get("agentName")) or fmt.DASH,
        "client": wire.get("clientName") or fmt.DASH,
        "direction": wire.get("direction") or "",
        "duration": fmt.mmss(wire.get("duration")),
        "cost": fmt.call_cost(wire.get("cost"), wire.get("costCredits")),
        "score": fmt.score_text(wire.get("callScore")),
        "band": fmt.score_band(wire.get("callScore")),
        "sentiment": wire.get("sentiment") or "",
        "status": wire.get("status") or "",
        "platform": wire.get("platform") or "",
        "summary": fmt.truncate(wire.get("summary"), 140),
        "summary_full": wire.get("summary") or "",
    }
    if row["status"] == "in_progress":
        row["duration"] = live_label(wire.get("startedAt"), now)
        row["cost"] = ""
    return row


LIVE = "Live"


def live_label(started_at: str | None, now: datetime | None = None) -> str:
    """'Live · 03:12': a call in progress and how long since it started (just 'Live' without a start)."""
    started = fmt.parse_iso(started_at)
    if started is None:
        return LIVE
    elapsed = ((now or datetime.now(UTC)) - started).total_seconds()
    return f"{LIVE} · {fmt.mmss(max(0.0, elapsed))}"


def filters_from(values: dict[str, str], tz: str) -> CallFilters:
    def pick(name: str) -> str | None:
        value = (values.get(name) or "").strip()
        return None if value in ("", ALL) else value

    def score(name: str) -> int | None:
        value = pick(name)
        return int(value) if value and value.isdigit() else None

    return CallFilters(
        agent_id=pick("agent"),
        client_id=pick("client"),
        status=pick("status"),
        sentiment=pick("sentiment"),
        direction=pick("direction"),
        platform=pick("platform"),
        search=pick("search"),
        min_score=score("min_score"),
        max_score=score("max_score"),
        tags=split_tags([values.get("tags") or ""]) or None,
        scored={"true": True, "false": False}.get(pick("scored") or ""),
        date_from=fmt.day_bounds(values.get("date_from", ""), tz, end=False),
        date_to=fmt.day_bounds(values.get("date_to", ""), tz, end=True),
    )


# The calls page keeps its view in the URL so it can be shared: URL parameter -> filter key.
URL_FILTERS = {
    "clientId": "client",
    "agentId": "agent",
    "status": "status",
    "sentiment": "sentiment",
    "direction": "direction",
    "platform": "platform",
    "minScore": "min_score",
    "maxScore": "max_score",
    "tags": "tags",
    "search": "search",
    "dateFrom": "date_from",
    "dateTo": "date_to",
    "scored": "scored",
}


def filters_from_url(query: dict[str, str]) -> dict[str, str]:
    """The filters a shared URL describes; anything not given is the default."""
    out = dict(DEFAULT_FILTERS)
    for param, key in URL_FILTERS.items():
        value = (query.get(param) or "").strip()
        if value:
            out[key] = value[:200]
    return out


def view_query(filters: dict[str, str], sort_by: str, sort_order: str, page: int) -> str:
    """The URL query string of a calls view (the inverse of filters_from_url, plus sort and page)."""
    params = {param: filters.get(key, "") for param, key in URL_FILTERS.items()}
    params = {k: v for k, v in params.items() if v not in ("", ALL)}
    if (sort_by, sort_order) != ("startedAt", "desc"):
        params.update(sortBy=sort_by, sortOrder=sort_order)
    if page > 1:
        params["page"] = str(page)
    return urlencode(params)


def export_query(f: CallFilters) -> str:
    """The export endpoint's query string for the same filters as the list."""
    params = {
        "agentId": f.agent_id,
        "clientId": f.client_id,
        "status": f.status,
        "sentiment": f.sentiment,
        "direction": f.direction,
        "platform": f.platform,
        "search": f.search,
        "minScore": f.min_score,
        "maxScore": f.max_score,
        "tags": ",".join(f.tags or []),
        "dateFrom": f.date_from.isoformat() if f.date_from else None,
        "dateTo": f.date_to.isoformat() if f.date_to else None,
        "scored": None if f.scored is None else str(f.scored).lower(),
    }
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


class CallsState(AuthState):
    rows: list[dict[str, str]] = []
    total: int = 0
    total_is_estimate: bool = False  # past services.calls.EXACT_TOTAL_LIMIT matches: the planner's estimate
    page: int = 1
    filters: dict[str, str] = dict(DEFAULT_FILTERS)
    sort_by: str = "startedAt"
    sort_order: str = "desc"
    agent_options: list[dict[str, str]] = []
    client_options: list[dict[str, str]] = []
    error: str = ""
    filters_open: bool = False  # phones: the filters beyond the search are folded away until asked for

    @rx.var
    def active_filters(self) -> int:
        """How many filters differ from the defaults (the search counts too)."""
        return sum(1 for key, value in self.filters.items() if value != DEFAULT_FILTERS.get(key))

    @rx.event
    def toggle_filters(self):
        self.filters_open = not self.filters_open

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PER_PAGE))

    @rx.var
    def range_label(self) -> str:
        if self.total == 0:
            return "No calls"
        first = (self.page - 1) * PER_PAGE + 1
        if self.total_is_estimate:
            # More than EXACT_TOTAL_LIMIT calls match and only that many were counted: "of 10,000+", not a guess.
            last = first + len(self.rows) - 1
            return f"Showing {first:,}–{last:,} of {max(calls_listing.EXACT_TOTAL_LIMIT, last):,}+"
        last = min(self.page * PER_PAGE, self.total)
        return f"Showing {first:,}–{last:,} of {self.total:,}"

    @rx.var
    def page_label(self) -> str:
        return f"Page {self.page:,} of " + ("about " if self.total_is_estimate else "") + f"{self.page_count:,}"

    @rx.var
    def has_next_page(self) -> bool:
        if self.total_is_estimate:  # the estimate may be short: go on while pages come back full
            return len(self.rows) == PER_PAGE
        return self.page < self.page_count

    @rx.var
    def has_filters(self) -> bool:
        return self.filters != DEFAULT_FILTERS

    @rx.var
    def export_path(self) -> str:
        """The CSV export of the current filters (the session cookie authenticates the download)."""
        query = export_query(filters_from(self.filters, self.timezone))
        return "/api/v1/calls/export" + (f"?{query}" if query else "")

    @rx.event
    def load(self):
        """on_load: agents and clients for the filters, then the first page.

        A URL with filters, sort or page (a shared view, a link from the dashboard) opens exactly that
        view; a bare /calls keeps this tab's last filters. Every change is written back to the URL.
        """
        self.rows, self.total, self.agent_options, self.client_options = [], 0, [], []
        self.total_is_estimate = False
        query = self.router.url.query_parameters
        if any(query.get(p) for p in (*URL_FILTERS, "sortBy", "sortOrder", "page")):
            self.filters = filters_from_url(query)
            wanted_sort = query.get("sortBy") or "startedAt"
            self.sort_by = wanted_sort if wanted_sort in SORT_COLUMNS else "startedAt"
            self.sort_order = "asc" if query.get("sortOrder") == "asc" else "desc"
            page = query.get("page") or "1"
            self.page = min(int(page), 10_000) if page.isdigit() and int(page) > 0 else 1

        def read(scope: OrgScope):
            agents, _ = list_agents(scope.session, org=scope.org, per_page=500, actor=scope.actor)
            return agents, list_clients(scope.session, org=scope.org, actor=scope.actor)

        def show(options):
            agents, clients = options
            self.client_options = [{"id": c.id, "name": c.name} for c in clients]
            # Two platforms may each have an agent with the same name: say which is which.
            self.agent_options = [
                {"id": a.id, "name": f"{a.name} · {fmt.PLATFORM_LABELS.get(a.platform, a.platform)}"} for a in agents
            ]
            return self._fetch()

        return self._org_action(read, done=show)

    def _fetch(self):
        self.error = ""

        def read(scope: OrgScope):
            return page_calls(
                scope.session,
                org=scope.org,
                filters=filters_from(self.filters, self.timezone),
                page=self.page,
                per_page=PER_PAGE,
                sort_by=self.sort_by,
                sort_order=self.sort_order,
                actor=scope.actor,
            )

        def failed(exc: DomainError) -> None:
            self.rows, self.total, self.total_is_estimate = [], 0, False
            self.error = fmt.error_text(exc)  # which filter is at fault, not just "Validation failed"

        def show(result):
            self.rows = [call_row(c.wire(), self.timezone) for c in result.rows]
            self.total, self.total_is_estimate = result.total, result.total_is_estimate
            query = view_query(self.filters, self.sort_by, self.sort_order, self.page)
            url = json.dumps("/calls" + (f"?{query}" if query else ""))
            return rx.call_script(f"window.history.replaceState(window.history.state, '', {url})")

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
        self.filters = dict(DEFAULT_FILTERS)
        self.page = 1
        return self._fetch()

    @rx.event
    def sort(self, column: str):
        if column not in SORT_COLUMNS:
            return None
        if self.sort_by == column:
            self.sort_order = "asc" if self.sort_order == "desc" else "desc"
        else:
            self.sort_by, self.sort_order = column, "desc"
        self.page = 1
        return self._fetch()

    @rx.event
    def next_page(self):
        if self.has_next_page:
            self.page += 1
            return self._fetch()
        return None

    @rx.event
    def prev_page(self):
        if self.page > 1:
            self.page -= 1
            return self._fetch()
        return None
