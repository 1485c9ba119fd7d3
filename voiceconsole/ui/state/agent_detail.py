"""One agent's page (/agents/<platform agent id>): KPIs with trends, score and volume, score by category,
recent and worst calls, and its platform configuration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from voiceconsole.schemas.builder import VersionOut, VersionQuality
from voiceconsole.services import builder
from voiceconsole.services.access.permissions import can
from voiceconsole.services.agents import agent_profile
from voiceconsole.services.errors import DomainError, NotFound
from voiceconsole.ui import format as fmt
from voiceconsole.ui import links
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.builder_rows import builder_href
from voiceconsole.ui.state.monitoring import MonitoringMixin
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


@dataclass
class VersionFigures:
    """One version's calls in the "Versions" comparison, each figure with the calls behind it."""

    version: int = 0
    note: str = ""
    live: bool = False
    calls: str = ""
    score: str = ""
    band: str = ""
    scored: str = ""  # "28 scored"
    success: str = ""
    outcomes: str = ""  # "30 ended"
    duration: str = ""
    cost: str = ""
    costed: str = ""  # "30 with a cost"
    positive: int = 0  # sentiment mix, in percent of the calls with a sentiment
    neutral: int = 0
    negative: int = 0
    sentiments: str = ""  # "26 with a sentiment"


def version_figures(q: VersionQuality, versions: dict[int, VersionOut]) -> VersionFigures:
    known = sum(q.sentiment.values())

    def share(key: str) -> int:
        return round(100 * q.sentiment.get(key, 0) / known) if known else 0

    about = versions.get(q.version)
    return VersionFigures(
        version=q.version,
        note=about.note if about else "",
        live=bool(about and about.live),
        calls=fmt.count(q.calls),
        score=fmt.avg_score(q.avg_score),
        band=fmt.score_band(q.avg_score),
        scored=f"{fmt.count(q.scored_calls)} scored",
        success=fmt.percent(q.success_rate),
        outcomes=f"{fmt.count(q.outcome_calls)} ended",
        duration=fmt.mmss(q.avg_duration_s),
        cost=fmt.usd(q.cost_per_call),
        costed=f"{fmt.count(q.costed_calls)} with a cost",
        positive=share("positive"),
        neutral=share("neutral"),
        negative=share("negative"),
        sentiments=f"{fmt.count(known)} with a sentiment",
    )


class AgentDetailState(PeriodPageMixin, MonitoringMixin, AuthState):
    agent: dict[str, str] = {}
    monitored: bool = True
    monitoring_reason: str = ""  # why not monitored ("Not monitored: Free includes 1 monitored agent. …")
    config: list[dict[str, str]] = []
    prompt_excerpt: str = ""
    prompt_size: str = ""  # "1,204 characters"
    recent: list[dict[str, str]] = []
    worst: list[dict[str, str]] = []
    calls_href: str = "/calls"
    worst_href: str = "/calls"
    # The Agent Builder's versions side by side (staff only: the configuration is theirs to read).
    version_figures: list[VersionFigures] = []
    sees_versions: bool = False

    @rx.var
    def builder_href(self) -> str:
        return builder_href(self.agent.get("id"))

    @rx.var
    def doc_title(self) -> str:
        return f"{self.agent.get('name') or 'Agent'} · VoiceConsole"

    @rx.event
    def load(self):
        """on_load: the agent in the URL, for the period in its query (30 days by default)."""
        self.agent, self.config, self.recent, self.worst = {}, [], [], []
        self.monitored, self.monitoring_reason, self.monitoring_error = True, "", ""
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
        self.monitored = bool(agent.get("monitored", True))
        self.monitoring_reason = agent.get("monitoringReason") or ""
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

    @rx.event
    def set_agent_monitoring(self, monitored: bool):
        """Monitor / Stop monitoring this agent (owners and admins)."""

        def show(_scope: OrgScope, status: Any) -> None:
            self.monitored, self.monitoring_reason = status.monitored, status.reason or ""

        return self._change_monitoring(self.agent.get("id", ""), monitored, then=show)

    @rx.event
    def load_versions(self):
        """on_load, after `load`: each version's calls and figures ("did this edit help?")."""
        self.version_figures, self.sees_versions = [], False
        agent_id = self._route_id()

        def read(scope: OrgScope) -> None:
            if not can(scope.actor, "builder.read"):
                return
            quality = builder.compare_versions(scope.session, org=scope.org, agent_id=agent_id, actor=scope.actor)
            about = {
                v.version: v
                for v in builder.list_versions(scope.session, org=scope.org, agent_id=agent_id, actor=scope.actor)
            }
            self.version_figures = [version_figures(q, about) for q in quality]
            self.sees_versions = True

        def hidden(_: DomainError) -> None:  # not found, or not theirs to read: the card stays away
            self.version_figures, self.sees_versions = [], False

        return self._org_action(read, failed=hidden, signed_out=lambda: None)
