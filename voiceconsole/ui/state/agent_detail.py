"""One agent's page (/agents/<platform agent id>): KPIs with trends, score and volume, score by category,
recent and worst calls, and its platform configuration."""

from __future__ import annotations

from typing import Any

import reflex as rx

from voiceconsole.services.agents import agent_profile
from voiceconsole.services.errors import NotFound
from voiceconsole.ui import format as fmt
from voiceconsole.ui import links
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.period_page import PeriodPageMixin, calls_query, linked_call_rows


def agent_facts(agent: dict[str, Any], config: dict[str, Any], tz: str) -> list[dict[str, str]]:
    """The platform configuration card: what the last sync stored about the agent."""
    facts = [
        ("Platform", fmt.PLATFORM_LABELS.get(agent["platform"], agent["platform"])),
        ("Agent ID", agent["id"]),
        ("Account", config.get("integration") or fmt.DASH),
        ("Voice", config.get("voice") or fmt.DASH),
        ("Model", config.get("model") or fmt.DASH),
        ("Version", config.get("platformVersion") or fmt.DASH),
        ("Last synced", fmt.datetime_label(config.get("lastSyncedAt"), tz)),
    ]
    return [{"label": label, "value": value} for label, value in facts]


def agent_header(agent: dict[str, Any]) -> dict[str, str]:
    return {
        "id": agent["id"],
        "name": agent["name"],
        "platform": agent["platform"],
        "status": agent.get("status") or "",
        "client": agent.get("clientName") or "",
        "client_href": links.client_href(agent.get("clientId")),
    }


class AgentDetailState(PeriodPageMixin, AuthState):
    agent: dict[str, str] = {}
    config: list[dict[str, str]] = []
    prompt_excerpt: str = ""
    prompt_size: str = ""  # "1,204 characters"
    recent: list[dict[str, str]] = []
    worst: list[dict[str, str]] = []
    calls_href: str = "/calls"
    worst_href: str = "/calls"

    @rx.var
    def doc_title(self) -> str:
        return f"{self.agent.get('name') or 'Agent'} · VoiceConsole"

    @rx.event
    def load(self):
        """on_load: the agent in the URL, for the period in its query (30 days by default)."""
        self.agent, self.config, self.recent, self.worst = {}, [], [], []
        self.prompt_excerpt = self.prompt_size = ""
        self.calls_href = self.worst_href = "/calls"
        self._clear_period()
        self.range_key = self._range_from_url()
        return self._fetch()

    def _fetch(self):
        agent_id, range_key = self._route_id(), self.range_key

        def read(scope: OrgScope) -> dict[str, Any]:
            return agent_profile(
                scope.session, org=scope.org, agent_id=agent_id, actor=scope.actor, range_=range_key
            ).wire()

        return self._org_action(read, catch=NotFound, failed=self._missing, done=self._show)

    def _show(self, profile: dict[str, Any]) -> None:
        agent, config = profile["agent"], profile["config"]
        self.agent = agent_header(agent)
        self.config = agent_facts(agent, config, self.timezone)
        self.prompt_excerpt = config.get("promptExcerpt") or ""
        self.prompt_size = f"{config['promptLength']:,} characters" if config.get("promptLength") else ""
        self._show_period(profile["figures"], profile["categories"], profile["period"])
        mine = {"agent": agent["id"]}
        worst = {**mine, "scored": "true", "date_from": fmt.local_date(profile["period"]["from"], self.timezone)}
        recent_query, worst_query = calls_query(mine), calls_query(worst, worst=True)
        self.recent = linked_call_rows(profile["recentCalls"], self.timezone, recent_query)
        self.worst = linked_call_rows(profile["worstCalls"], self.timezone, worst_query)
        self.calls_href, self.worst_href = f"/calls?{recent_query}", f"/calls?{worst_query}"
        self.loading = False
