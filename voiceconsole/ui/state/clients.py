"""Clients: create, rename and delete an agency's clients, and assign agents to them."""

from __future__ import annotations

import reflex as rx

from voiceconsole.services import clients as service
from voiceconsole.services.agents import list_agents
from voiceconsole.services.access.permissions import MANAGER_ROLES
from voiceconsole.services.errors import DomainError
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import LOGIN_ROUTE, AuthState, NotSignedIn, OrgScope
from voiceconsole.ui.state.confirmation import ConfirmationMixin

NONE = "none"  # "no client" in the assignment select (Radix selects cannot hold an empty value)


class ClientsState(ConfirmationMixin, AuthState):
    clients: list[dict[str, str]] = []
    agents: list[dict[str, str]] = []
    name_draft: str = ""
    create_error: str = ""
    error: str = ""
    edit_id: str = ""
    edit_name: str = ""
    edit_error: str = ""

    @rx.var
    def can_manage(self) -> bool:
        return self.role in MANAGER_ROLES

    @rx.var
    def edit_open(self) -> bool:
        return self.edit_id != ""

    def _reload(self, scope: OrgScope) -> None:
        clients = service.list_clients(scope.session, org=scope.org, actor=scope.actor)
        self.clients = [{"id": c.id, "name": c.name, "agents": str(c.agent_count),
                         "href": f"/dashboard?clientId={c.id}"} for c in clients]
        agents, _ = list_agents(scope.session, org=scope.org, per_page=500, actor=scope.actor)
        self.agents = [{"id": a.id, "name": a.name, "platform": a.platform, "client": a.client_id or NONE,
                        "calls": fmt.count(a.total_calls)} for a in agents]

    def _run(self, action) -> bool:  # noqa: ANN001
        """Run a service call in the signed-in organization, then reload the lists (errors propagate)."""
        with self.open_org() as scope:
            action(scope)
            self._reload(scope)
        return True

    @rx.event
    def load(self):
        self.error = ""
        try:
            with self.open_org() as scope:
                self._reload(scope)
        except NotSignedIn:
            return rx.redirect(LOGIN_ROUTE)
        return None

    @rx.event
    def set_name_draft(self, value: str):
        self.name_draft = value[:200]
        self.create_error = ""

    @rx.event
    def create_client(self, form_data: dict):
        name = str(form_data.get("name", self.name_draft) or "")
        try:
            self._run(lambda s: service.create_client(s.session, org=s.org, name=name, actor=s.actor))
        except NotSignedIn:
            return rx.redirect(LOGIN_ROUTE)
        except DomainError as exc:
            self.create_error = fmt.error_text(exc)
            return None
        self.name_draft = ""
        return rx.toast.success(f"Added “{' '.join(name.split())}”")

    @rx.event
    def assign(self, agent_id: str, client_id: str):
        target = None if client_id in ("", NONE) else client_id
        try:
            self._run(lambda s: service.assign_agent(s.session, org=s.org, agent_id=agent_id, client_id=target,
                                                     actor=s.actor))
        except NotSignedIn:
            return rx.redirect(LOGIN_ROUTE)
        except DomainError as exc:
            self.error = fmt.error_text(exc)
            return None
        return rx.toast.success("Agent assigned" if target else "Agent unassigned")

    @rx.event
    def start_edit(self, client_id: str, name: str):
        self.edit_id, self.edit_name, self.edit_error = client_id, name, ""

    @rx.event
    def set_edit_name(self, value: str):
        self.edit_name = value[:200]
        self.edit_error = ""

    @rx.event
    def set_edit_open(self, is_open: bool):
        if not is_open:
            self.edit_id = self.edit_name = self.edit_error = ""

    @rx.event
    def save_edit(self, form_data: dict | None = None):
        client_id, name = self.edit_id, str((form_data or {}).get("name", self.edit_name) or "")
        try:
            self._run(lambda s: service.rename_client(s.session, org=s.org, client_id=client_id, name=name,
                                                      actor=s.actor))
        except NotSignedIn:
            return rx.redirect(LOGIN_ROUTE)
        except DomainError as exc:
            self.edit_error = fmt.error_text(exc)
            return None
        self.edit_id = self.edit_name = ""
        return rx.toast.success("Client renamed")

    @rx.event
    def ask_delete(self, client_id: str, name: str):
        self._ask_confirmation("delete", client_id, name)

    @rx.event
    def confirm_delete(self):
        target = self._take_confirmation("delete")
        if target is None:
            return None
        client_id, name = target

        def delete(scope: OrgScope) -> None:
            service.delete_client(scope.session, org=scope.org, client_id=client_id, actor=scope.actor)
            self._reload(scope)

        def failed(exc: DomainError) -> None:
            self.error = fmt.error_text(exc)

        return self._org_action(delete, failed=failed, done=lambda _: rx.toast.success(f"Deleted “{name}”"))
