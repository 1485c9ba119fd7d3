"""The agents table, with the cached performance figures of each agent."""

from __future__ import annotations

from typing import Any

import reflex as rx

from voiceconsole.services.agents import list_agents
from voiceconsole.ui import format as fmt
from voiceconsole.ui import links
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.monitoring import MonitoringMixin

MAX_AGENTS = 500  # an agency has tens of agents; one page is enough


def agent_row(wire: dict[str, Any], tz: str) -> dict[str, str]:
    return {
        "id": wire["id"],
        "name": wire["name"],
        "short_name": fmt.middle_ellipsis(wire["name"]),
        "href": links.agent_href(wire["id"]),
        "platform": wire.get("platform") or "",
        "client": wire.get("clientName") or fmt.DASH,
        "status": wire.get("status") or "",
        "calls": fmt.count(wire.get("totalCalls") or 0),
        "score": fmt.avg_score(wire.get("avgScore")),
        "band": fmt.score_band(wire.get("avgScore")),
        "duration": fmt.mmss(wire.get("avgDuration")),
        "cost": fmt.usd(wire.get("totalCost")),
        "success": fmt.percent(wire.get("successRate")),
        "last_call": fmt.datetime_label(wire.get("lastCallAt"), tz),
        # "" when monitored (a string, as every value of a row: Reflex rows are dict[str, str])
        "not_monitored": "" if wire.get("monitored", True) else "yes",
        "monitoring_reason": wire.get("monitoringReason") or "",
    }


class AgentsState(MonitoringMixin, AuthState):
    agents: list[dict[str, str]] = []
    total: int = 0

    def _read(self, scope: OrgScope):
        return list_agents(
            scope.session,
            org=scope.org,
            per_page=MAX_AGENTS,
            sort_by="totalCalls",
            sort_order="desc",
            actor=scope.actor,
        )

    def _show(self, result) -> None:
        agents, total = result
        self.agents = [agent_row(a.wire(), self.timezone) for a in agents]
        self.total = total

    @rx.event
    def load(self):
        self.agents, self.total, self.monitoring_error = [], 0, ""
        return self._org_action(self._read, done=self._show)

    @rx.event
    def set_agent_monitoring(self, agent_id: str, monitored: bool):
        """Monitor / Stop monitoring (owners and admins); the table shows the outcome for every agent (another
        agent may have given up its slot)."""
        return self._change_monitoring(agent_id, monitored, then=lambda scope, _: self._show(self._read(scope)))
