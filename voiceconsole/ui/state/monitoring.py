"""Which agents are monitored (plan limits, services/billing/monitoring.py), for the agents table and an
agent's page: owners and admins monitor an agent or stop; a refusal (the plan's limit) shows inline and as a
toast, with the plan that lifts it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from voiceconsole.services.billing.monitoring import set_monitoring
from voiceconsole.services.errors import DomainError
from voiceconsole.ui.state.auth import OrgScope


def refusal_text(exc: DomainError) -> str:
    """What to tell the person: the detail's message ("Free includes 1 monitored agent. Upgrade to Pro for
    15.") rather than the error's title ("Plan limit reached")."""
    return "; ".join(d["message"] for d in exc.details if d.get("message")) or exc.message


class MonitoringMixin(rx.State, mixin=True):
    monitoring_error: str = ""

    def _change_monitoring(self, agent_id: str, monitored: bool, *, then: Callable[[OrgScope, Any], None]):
        """Turn the agent's monitoring on or off; `then(scope, status)` refreshes the page in the same
        transaction."""
        self.monitoring_error = ""

        def change(scope: OrgScope) -> Any:
            status = set_monitoring(
                scope.session, org=scope.org, actor=scope.actor, agent_id=agent_id, monitored=monitored
            )
            then(scope, status)
            return status

        def failed(exc: DomainError):
            self.monitoring_error = refusal_text(exc)
            return rx.toast.error(self.monitoring_error)

        def done(status: Any):
            if status.monitored:
                return rx.toast.success("Monitoring this agent: its past calls are being imported")
            return rx.toast.success("Stopped monitoring this agent: its new calls are not imported")

        return self._org_action(change, failed=failed, done=done)  # type: ignore[attr-defined]

    @rx.event
    def dismiss_monitoring_error(self):
        self.monitoring_error = ""
