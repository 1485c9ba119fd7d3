"""The agency dashboard: KPIs with period-over-period change, charts, and the portfolio board.

The view is described by the URL (`/dashboard?range=7d&clientId=cli_…&agentId=…`), so it can be shared:
the page reads the query on load, and every change of range or filter rewrites it in place.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import reflex as rx

from voiceconsole.services import analytics
from voiceconsole.services.agents import list_agents
from voiceconsole.services.clients import list_clients
from voiceconsole.services.errors import NotFound
from voiceconsole.ui import format as fmt
from voiceconsole.ui import links
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.calls import DEFAULT_FILTERS, view_query

ALL = "all"  # Radix selects cannot hold an empty value
RANGES = [("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days")]
DEFAULT_RANGE = "30d"
# KPI: (key, label, trend key, which direction is good: 1 up, -1 down, 0 neither)
KPIS = (
    ("calls", "Calls", "calls", 0),
    ("success", "Success rate", "successRate", 1),
    ("score", "Avg score", "score", 1),
    ("duration", "Avg duration", "duration", 0),
    ("cost", "Cost", "cost", -1),
)


def trend_direction(change: float | None) -> str:
    """The arrow of a change: up, down, flat, or none (nothing to compare with)."""
    if change is None:
        return "none"
    return "up" if change > 0 else "down" if change < 0 else "flat"


def trend_tone(change: float | None, good: int) -> str:
    """good, bad or neutral: whether a change helps the agency (`good`: 1 up is good, -1 down, 0 neither)."""
    if change is None or change == 0 or good == 0:
        return "neutral"
    return "good" if (change > 0) == (good > 0) else "bad"


def comparison_title(previous_calls: int | None, current_calls: int) -> str:
    """What a change is measured against (or why none is shown), for the tooltip beside it."""
    if not previous_calls:
        return "No calls in the previous period to compare with"
    if not fmt.comparable(previous_calls, current_calls):
        return (
            f"Only {previous_calls:,} calls in the previous period against {current_calls:,} in this one: too few "
            f"to compare (at least {fmt.MIN_CALLS_TO_COMPARE}, and a tenth of this period's, are needed)"
        )
    return f"Against the previous period of equal length ({previous_calls:,} calls)"


def kpi_cards(data: dict[str, Any]) -> list[dict[str, str]]:
    """The five KPI cards: value, and the change against the previous period as arrow, text and tone.

    The score's change is in points (the API gives every trend as a percent change); no change is shown
    against a previous period with fewer than `fmt.MIN_CALLS_TO_COMPARE` calls ("New" or "—")."""
    values = {
        "calls": fmt.count(data["totalCalls"]),
        "success": fmt.percent(data["successRate"]),
        "score": fmt.avg_score(data["avgScore"]),
        "duration": fmt.mmss(data["avgDuration"]),
        "cost": fmt.usd(data["totalCost"]),
    }
    trends = data["trends"]
    previous_calls, current_calls = trends["calls"]["previous"], data["totalCalls"]
    title = comparison_title(previous_calls, current_calls)
    cards = []
    for key, label, trend_key, good in KPIS:
        trend = trends[trend_key]
        if trend is None:  # not shown to this viewer (costs, in a client portal): no card at all
            continue
        points = key == "score"
        change = fmt.score_points(trend["current"], trend["previous"]) if points else trend["change"]
        shown = change if fmt.comparable(previous_calls, current_calls) else None
        cards.append(
            {
                "key": key,
                "label": label,
                "value": values[key],
                "change": fmt.delta_label(change, previous_calls, current_calls, points=points),
                "change_title": title,
                "direction": trend_direction(shown),
                "tone": trend_tone(shown, good),
            }
        )
    return cards


def chart_points(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"label": fmt.day_label(p["t"]), "calls": p["calls"], "avgScore": p["avgScore"], "cost": p["cost"]}
        for p in series
    ]


def board_rows(
    rows: list[dict[str, Any]], param: str, since: str = "", platforms: dict[str, str] | None = None
) -> list[dict[str, str]]:
    """Portfolio rows (worst health first), each linking to its calls of the week, worst score first: the
    row says which client or agent is slipping, its calls say why (each call's breakdown has the reasons).
    The name opens the client's or agent's own page (`page_href`); `platforms` (agent id → platform) tells
    agents of the same name apart."""
    platforms = platforms or {}
    out = []
    key = {"clientId": "client", "agentId": "agent"}[param]
    page = {"clientId": links.client_href, "agentId": links.agent_href}[param]
    for r in rows:
        previous_calls = r.get("previousCalls")
        change = r["healthChange"] if fmt.comparable(previous_calls, r["calls"]) else None
        platform = fmt.PLATFORM_LABELS.get(platforms.get(r["id"], ""), "")
        out.append(
            {
                "id": r["id"],
                "name": r["name"],
                "full_name": fmt.middle_ellipsis(r["name"]),
                "short_name": fmt.agent_label(r["name"], r.get("clientName")),
                "page_href": page(r["id"]),
                # Under an agent's name: its client and platform (two agents may share a name).
                "client": " · ".join(x for x in (r.get("clientName") or "", platform) if x),
                "health": fmt.avg_score(r["health"]),
                "band": fmt.score_band(r["health"]),
                "change": fmt.delta_label(r["healthChange"], previous_calls, r["calls"], points=True),
                "change_title": comparison_title(previous_calls, r["calls"]),
                "direction": trend_direction(change),
                "tone": trend_tone(change, 1),
                "calls": fmt.count(r["calls"]),
                "success": fmt.percent(r["successRate"]),
                "cost": fmt.usd(r["cost"]),
                "href": "/calls?"
                + view_query(
                    {**DEFAULT_FILTERS, key: r["id"], "scored": "true", "date_from": since}, "callScore", "asc", 1
                ),
            }
        )
    return out


class DashboardState(AuthState):
    range_key: str = DEFAULT_RANGE
    client: str = ALL
    agent: str = ALL
    kpis: list[dict[str, str]] = []
    points: list[dict[str, Any]] = []
    sentiment: list[dict[str, Any]] = []
    distribution: list[dict[str, Any]] = []
    client_rows: list[dict[str, str]] = []
    agent_rows: list[dict[str, str]] = []
    client_options: list[dict[str, str]] = []
    agent_options: list[dict[str, str]] = []
    period_label: str = ""
    # The period as the calls page's date filters take it: local days (YYYY-MM-DD) that cover it.
    period_from: str = ""
    period_to: str = ""
    total_calls: int = 0
    error: str = ""

    @rx.var
    def has_filters(self) -> bool:
        return self.client != ALL or self.agent != ALL

    @rx.var
    def share_query(self) -> str:
        params = {"range": self.range_key}
        if self.client != ALL:
            params["clientId"] = self.client
        if self.agent != ALL:
            params["agentId"] = self.agent
        return urlencode(params)

    @rx.var
    def calls_href(self) -> str:
        """The calls behind the figures: the calls list with the dashboard's period, client and agent."""
        view = {
            **DEFAULT_FILTERS,
            "client": self.client,
            "agent": self.agent,
            "date_from": self.period_from,
            "date_to": self.period_to,
        }
        query = view_query(view, "startedAt", "desc", 1)
        return "/calls" + (f"?{query}" if query else "")

    @rx.event
    def load(self):
        """on_load: the view the URL describes (unknown values fall back to the defaults)."""
        query = self.router.url.query_parameters
        wanted = query.get("range", DEFAULT_RANGE)
        self.range_key = wanted if wanted in analytics.PRESET_DAYS else DEFAULT_RANGE
        self.client = (query.get("clientId") or ALL)[:32]
        self.agent = (query.get("agentId") or ALL)[:128]
        return self._fetch()

    def _fetch(self):
        """Options, KPIs, charts and board for the current view; None, or the redirect to the login page."""
        self.error = ""
        return self._org_action(self._read, done=self._show)

    def _read(self, scope: OrgScope):
        self.client_options = [
            {"id": c.id, "name": c.name} for c in list_clients(scope.session, org=scope.org, actor=scope.actor)
        ]
        agents, _ = list_agents(scope.session, org=scope.org, per_page=500, actor=scope.actor)
        self.agent_options = [
            {"id": a.id, "name": f"{a.name} · {fmt.PLATFORM_LABELS.get(a.platform, a.platform)}"} for a in agents
        ]
        try:
            scope_filter = analytics.resolve_scope(
                scope.session,
                org=scope.org,
                actor=scope.actor,
                client_id=None if self.client == ALL else self.client,
                agent_id=None if self.agent == ALL else self.agent,
            )
        except NotFound as exc:  # a stale shared link: show everything instead
            self.error = f"{exc.message}: showing all calls instead."
            self.client = self.agent = ALL
            scope_filter = analytics.resolve_scope(scope.session, org=scope.org, actor=scope.actor)
        window = analytics.resolve_window(self.range_key)
        data = analytics.summary(
            scope.session, org=scope.org, window=window, scope=scope_filter, actor=scope.actor
        ).wire()
        board = analytics.portfolio(scope.session, org=scope.org, scope=scope_filter, actor=scope.actor).wire()
        return window, data, board, {a.id: a.platform for a in agents}

    def _show(self, figures) -> None:
        window, data, board, platforms = figures
        self.total_calls = data["totalCalls"]
        self.kpis = kpi_cards(data)
        self.points = chart_points(data["series"])
        s = data["sentimentBreakdown"]
        self.sentiment = [
            {"name": "Positive", "calls": s["positive"]},
            {"name": "Neutral", "calls": s["neutral"]},
            {"name": "Negative", "calls": s["negative"]},
        ]
        d = data["scoreDistribution"]
        # Short axis labels, so four fit side by side on a phone; the card's subtitle gives the ranges.
        self.distribution = [
            {"band": "Poor", "calls": d["poor"]},
            {"band": "Attention", "calls": d["attention"]},
            {"band": "Good", "calls": d["good"]},
            {"band": "Excellent", "calls": d["excellent"]},
        ]
        since = fmt.local_date(board["from"], self.timezone)
        self.client_rows = board_rows(board["clients"], "clientId", since)
        self.agent_rows = board_rows(board["agents"], "agentId", since, platforms)
        self.period_label = fmt.period_label(window.start, window.end)
        self.period_from = fmt.local_date(window.start, self.timezone)
        # The period ends now (exclusive end): its last day is the one holding the moment just before.
        self.period_to = fmt.local_date(window.end - timedelta(microseconds=1), self.timezone)

    def _changed(self):
        redirect = self._fetch()
        if redirect is not None:
            return redirect
        url = json.dumps(f"/dashboard?{self.share_query}")
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {url})")

    @rx.event
    def set_range(self, value: str | list[str]):
        if isinstance(value, list):  # the segmented control may report a list
            value = value[0] if value else ""
        if value not in analytics.PRESET_DAYS:
            return None
        self.range_key = value
        return self._changed()

    @rx.event
    def set_client(self, value: str):
        self.client = (value or ALL)[:32]
        self.agent = ALL  # an agent of another client would show nothing
        return self._changed()

    @rx.event
    def set_agent(self, value: str):
        self.agent = (value or ALL)[:128]
        return self._changed()

    @rx.event
    def clear_filters(self):
        self.client = self.agent = ALL
        return self._changed()
