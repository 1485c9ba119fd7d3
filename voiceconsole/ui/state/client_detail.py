"""One client's page (/clients/<client id>): its own KPIs with trends, score and volume, score by
category, its agents with their figures of the period, and its worst calls."""

from __future__ import annotations

from typing import Any

import reflex as rx

from voiceconsole.services.clients import client_profile
from voiceconsole.services.errors import NotFound
from voiceconsole.ui import format as fmt
from voiceconsole.ui import links
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.dashboard import trend_direction, trend_tone
from voiceconsole.ui.state.period_page import PeriodPageMixin, calls_query, linked_call_rows


def client_agent_row(wire: dict[str, Any], client_name: str = "") -> dict[str, str]:
    """One of the client's agents with its figures of the period (named without the client's name in front,
    which the page's title already says)."""
    period = wire["period"]
    change = fmt.score_points(period["avgScore"], period["previousAvgScore"])  # points, not the API's percent
    return {
        "id": wire["id"],
        "name": wire["name"],
        "full_name": fmt.middle_ellipsis(wire["name"]),
        "short_name": fmt.agent_label(wire["name"], client_name),
        "href": links.agent_href(wire["id"]),
        "platform": wire["platform"],
        "status": wire.get("status") or "",
        "calls": fmt.count(period["calls"]),
        "score": fmt.avg_score(period["avgScore"]),
        "band": fmt.score_band(period["avgScore"]),
        "change": fmt.points_label(change),
        "direction": trend_direction(change),
        "tone": trend_tone(change, 1),
        "success": fmt.percent(period["successRate"]),
        "cost": fmt.usd(period["cost"]),
    }


class ClientDetailState(PeriodPageMixin, AuthState):
    client: dict[str, str] = {}
    agents: list[dict[str, str]] = []
    worst: list[dict[str, str]] = []
    calls_href: str = "/calls"
    worst_href: str = "/calls"

    @rx.var
    def doc_title(self) -> str:
        return f"{self.client.get('name') or 'Client'} · VoiceConsole"

    @rx.event
    def load(self):
        """on_load: the client in the URL, for the period in its query (30 days by default)."""
        self.client, self.agents, self.worst = {}, [], []
        self.calls_href = self.worst_href = "/calls"
        self._clear_period()
        self.range_key = self._range_from_url()
        return self._fetch()

    def _fetch(self):
        client_id, range_key = self._route_id(), self.range_key

        def read(scope: OrgScope) -> dict[str, Any]:
            return client_profile(
                scope.session, org=scope.org, client_id=client_id, actor=scope.actor, range_=range_key
            ).wire()

        return self._org_action(read, catch=NotFound, failed=self._missing, done=self._show)

    def _show(self, profile: dict[str, Any]) -> None:
        client = profile["client"]
        n = client["agentCount"]
        self.client = {"id": client["id"], "name": client["name"], "agents": f"{n} agent{'' if n == 1 else 's'}"}
        self.agents = [client_agent_row(a, client["name"]) for a in profile["agents"]]
        self._show_period(profile["figures"], profile["categories"], profile["period"])
        since = fmt.local_date(profile["period"]["from"], self.timezone)
        worst_query = calls_query({"client": client["id"], "scored": "true", "date_from": since}, worst=True)
        self.worst = linked_call_rows(profile["worstCalls"], self.timezone, worst_query)
        self.calls_href, self.worst_href = f"/calls?{calls_query({'client': client['id']})}", f"/calls?{worst_query}"
        self.loading = False
