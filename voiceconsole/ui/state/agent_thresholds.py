"""Settings → Scoring: agents' own alert thresholds (an agent's threshold wins over its client's and the
organization's; weights stay per client). Changing one rescores nothing: only alerts follow it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from voiceconsole.services.agents import list_agents
from voiceconsole.services.errors import DomainError, Forbidden
from voiceconsole.services.scoring.settings import scoring_settings, update_agent_scoring
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.scoring_settings import parse_number

MAX_AGENTS = 500  # as the agents page: an agency has tens of agents


def threshold_rows(
    settings: dict[str, Any], agents: list[dict[str, str]]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(agents with their own threshold, the other agents for the "add" menu); `agents` are {id, name, platform}."""
    platform = {a["id"]: a["platform"] for a in agents}
    own = [
        {
            "id": row["agentId"],
            "name": row["agentName"],
            "short_name": fmt.middle_ellipsis(row["agentName"]),
            "platform": platform.get(row["agentId"], ""),
            "threshold": str(row["alertThreshold"]),
        }
        for row in settings["agents"]
        if row.get("alertThreshold") is not None
    ]
    with_own = {row["id"] for row in own}
    others = [
        {"id": a["id"], "name": f"{a['name']} · {fmt.PLATFORM_LABELS.get(a['platform'], a['platform'])}"}
        for a in agents
        if a["id"] not in with_own
    ]
    return own, others


class AgentThresholdState(AuthState):
    agent_thresholds: list[dict[str, str]] = []
    agents_without_threshold: list[dict[str, str]] = []
    edit_agent_id: str = ""
    edit_agent_name: str = ""
    edit_agent_threshold: str = ""
    edit_agent_error: str = ""

    @rx.var
    def agent_editor_open(self) -> bool:
        return self.edit_agent_id != ""

    def _reload(self, scope: OrgScope) -> None:
        settings = scoring_settings(scope.session, org=scope.org, actor=scope.actor).wire()
        agents, _ = list_agents(scope.session, org=scope.org, per_page=MAX_AGENTS, actor=scope.actor)
        rows = [{"id": a.id, "name": a.name, "platform": a.platform} for a in agents]
        self.agent_thresholds, self.agents_without_threshold = threshold_rows(settings, rows)

    @rx.event
    def load(self):
        self.agent_thresholds, self.agents_without_threshold = [], []
        self._close()
        # Client viewers may not read scoring settings; the page says so (ScoringSettingsState.error).
        return self._org_action(self._reload, failed=lambda _exc: None, catch=Forbidden)

    @rx.event
    def open_agent_editor(self, agent_id: str):
        row = next((r for r in self.agent_thresholds if r["id"] == agent_id), None)
        other = next((a for a in self.agents_without_threshold if a["id"] == agent_id), None)
        if row is None and other is None:
            return
        self.edit_agent_id = agent_id
        self.edit_agent_name = (row or other or {}).get("name", "")
        self.edit_agent_threshold = row["threshold"] if row else ""
        self.edit_agent_error = ""

    def _close(self) -> None:
        self.edit_agent_id = self.edit_agent_name = self.edit_agent_threshold = self.edit_agent_error = ""

    @rx.event
    def set_agent_editor_open(self, is_open: bool):
        if not is_open:
            self._close()

    @rx.event
    def set_edit_agent_threshold(self, value: str):
        self.edit_agent_threshold = value
        self.edit_agent_error = ""

    def _update(self, agent_id: str, threshold: Any, *, done: Callable[[], object], failed: Callable[[Any], object]):
        def update(scope: OrgScope) -> None:
            update_agent_scoring(
                scope.session, org=scope.org, agent_id=agent_id, actor=scope.actor, alert_threshold=threshold
            )
            self._reload(scope)

        return self._org_action(update, failed=failed, done=lambda _: done())

    @rx.event
    def save_agent_threshold(self):
        text = self.edit_agent_threshold.strip()
        if not text:
            self.edit_agent_error = "Enter a threshold from 0 to 100, or use Clear to follow the client's"
            return None
        name = self.edit_agent_name

        def saved():
            self._close()
            return rx.toast.success(f"{name}: alerts below {text}")

        def failed(exc: DomainError) -> None:  # the dialog stays open with what was typed
            self.edit_agent_error = fmt.error_text(exc)

        return self._update(self.edit_agent_id, parse_number(text), done=saved, failed=failed)

    @rx.event
    def clear_agent_threshold(self, agent_id: str, name: str):
        return self._update(
            agent_id,
            None,
            done=lambda: rx.toast.success(f"{name} now follows its client's or the organization's threshold"),
            failed=lambda exc: rx.toast.error(fmt.error_text(exc)),
        )
