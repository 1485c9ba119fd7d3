"""The agency dashboard: KPIs with period-over-period change, charts, and the portfolio board.

The view is described by the URL (`/dashboard?range=7d&clientId=cli_…&agentId=…`), so it can be shared:
the page reads the query on load, and every change of range or filter rewrites it in place.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import reflex as rx

from voiceconsole.services import analytics
from voiceconsole.services.agents import list_agents
from voiceconsole.services.clients import list_clients
from voiceconsole.services.errors import NotFound
from voiceconsole.ui import format as fmt
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


def _direction(change: float | None) -> str:
    if change is None:
        return "none"
    return "up" if change > 0 else "down" if change < 0 else "flat"


def _tone(change: float | None, good: int) -> str:
    if change is None or change == 0 or good == 0:
        return "neutral"
    return "good" if (change > 0) == (good > 0) else "bad"


def kpi_cards(data: dict[str, Any]) -> list[dict[str, str]]:
    """The five KPI cards: value, and the change against the previous period as arrow, text and tone."""
    values = {
        "calls": fmt.count(data["totalCalls"]),
        "success": fmt.percent(data["successRate"]),
        "score": fmt.score_text(data["avgScore"]),
        "duration": fmt.mmss(data["avgDuration"]),
        "cost": fmt.usd(data["totalCost"]),
    }
    cards = []
    for key, label, trend_key, good in KPIS:
        change = data["trends"][trend_key]["change"]
        cards.append(
            {
                "key": key,
                "label": label,
                "value": values[key],
                "change": fmt.change_label(change),
                "direction": _direction(change),
                "tone": _tone(change, good),
            }
        )
    return cards


def chart_points(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"label": fmt.day_label(p["t"]), "calls": p["calls"], "avgScore": p["avgScore"], "cost": p["cost"]}
        for p in series
    ]


def board_rows(rows: list[dict[str, Any]], param: str, since: str = "") -> list[dict[str, str]]:
    """Portfolio rows (worst health first), each linking to its calls of the week, worst score first: the
    row says which client or agent is slipping, its calls say why (each call's breakdown has the reasons)."""
    out = []
    key = {"clientId": "client", "agentId": "agent"}[param]
    for r in rows:
        change = r["healthChange"]
        out.append(
            {
                "id": r["id"],
                "name": r["name"],
                "client": r.get("clientName") or "",
                "health": fmt.score_text(r["health"]),
                "band": fmt.score_band(r["health"]),
                "change": fmt.points_label(change),
                "direction": _direction(change),
                "tone": _tone(change, 1),
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
        """The calls list with the dashboard's client/agent filter."""
        params = {k: v for k, v in (("clientId", self.client), ("agentId", self.agent)) if v != ALL}
        return "/calls" + (f"?{urlencode(params)}" if params else "")

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
        data = analytics.summary(scope.session, org=scope.org, window=window, scope=scope_filter).wire()
        board = analytics.portfolio(scope.session, org=scope.org, scope=scope_filter).wire()
        return window, data, board

    def _show(self, figures) -> None:
        window, data, board = figures
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
        self.distribution = [
            {"band": "Poor 0–39", "calls": d["poor"]},
            {"band": "Attention 40–59", "calls": d["attention"]},
            {"band": "Good 60–79", "calls": d["good"]},
            {"band": "Excellent 80+", "calls": d["excellent"]},
        ]
        since = fmt.local_date(board["from"], self.timezone)
        self.client_rows = board_rows(board["clients"], "clientId", since)
        self.agent_rows = board_rows(board["agents"], "agentId", since)
        self.period_label = fmt.period_label(window.start, window.end)

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
