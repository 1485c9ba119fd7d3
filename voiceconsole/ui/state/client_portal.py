"""The client page's "Client portal" card: what the client's viewers see besides calls and scores (costs,
agent configuration), switched by owners and admins."""

from __future__ import annotations

import reflex as rx

from voiceconsole.services import clients as clients_service
from voiceconsole.services.errors import DomainError
from voiceconsole.ui import format as fmt
from voiceconsole.ui import links
from voiceconsole.ui.state.auth import AuthState, OrgScope


class ClientPortalState(AuthState):
    portal_client_id: str = ""
    show_costs: bool = False
    show_agent_config: bool = False
    portal_error: str = ""

    def _show(self, client) -> None:
        self.portal_client_id = client.id
        self.show_costs, self.show_agent_config = client.show_costs, client.show_agent_config
        self.portal_error = ""

    def _failed(self, exc: DomainError) -> None:
        self.portal_error = fmt.error_text(exc)

    @rx.event
    def load(self):
        client_id = links.last_segment(self.router.url.path)
        self.portal_client_id, self.portal_error = "", ""
        return self._org_action(
            lambda s: clients_service.get_client(s.session, org=s.org, client_id=client_id, actor=s.actor),
            done=self._show,
            failed=lambda _exc: None,
        )

    def _update(self, **switches: bool):
        client_id = self.portal_client_id

        def work(s: OrgScope):
            return clients_service.update_client(s.session, org=s.org, client_id=client_id, actor=s.actor, **switches)

        return self._org_action(work, done=self._show, failed=self._failed)

    @rx.event
    def set_show_costs(self, value: bool):
        return self._update(show_costs=bool(value))

    @rx.event
    def set_show_agent_config(self, value: bool):
        return self._update(show_agent_config=bool(value))
