"""Clients: create, rename and delete an agency's clients, and assign agents to them."""

from __future__ import annotations

import reflex as rx

from voiceconsole.services import clients as service
from voiceconsole.services.agents import list_agents
from voiceconsole.services.errors import DomainError
from voiceconsole.ui import format as fmt
from voiceconsole.ui import links
from voiceconsole.ui.state.auth import AuthState, OrgScope
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
    def edit_open(self) -> bool:
        return self.edit_id != ""

    def _reload(self, scope: OrgScope) -> None:
        clients = service.list_clients(scope.session, org=scope.org, actor=scope.actor)
        self.clients = [
            {"id": c.id, "name": c.name, "agents": str(c.agent_count), "href": links.client_href(c.id)} for c in clients
        ]
        agents, _ = list_agents(scope.session, org=scope.org, per_page=500, actor=scope.actor)
        self.agents = [
            {
                "id": a.id,
                "name": a.name,
                "platform": a.platform,
                "client": a.client_id or NONE,
                "calls": fmt.count(a.total_calls),
            }
            for a in agents
        ]

    def _show_error(self, exc: DomainError) -> None:
        self.error = fmt.error_text(exc)

    @rx.event
    def load(self):
        self.error = ""
        return self._org_action(self._reload)

    @rx.event
    def set_name_draft(self, value: str):
        self.name_draft = value[:200]
        self.create_error = ""

    @rx.event
    def create_client(self, form_data: dict):
        name = str(form_data.get("name", self.name_draft) or "")

        def create(scope: OrgScope) -> None:
            service.create_client(scope.session, org=scope.org, name=name, actor=scope.actor)
            self._reload(scope)

        def failed(exc: DomainError) -> None:
            self.create_error = fmt.error_text(exc)

        def created(_) -> object:
            self.name_draft = ""
            return rx.toast.success(f"Added “{' '.join(name.split())}”")

        return self._org_action(create, failed=failed, done=created)

    @rx.event
    def assign(self, agent_id: str, client_id: str):
        target = None if client_id in ("", NONE) else client_id

        def assign(scope: OrgScope) -> None:
            service.assign_agent(scope.session, org=scope.org, agent_id=agent_id, client_id=target, actor=scope.actor)
            self._reload(scope)

        return self._org_action(
            assign,
            failed=self._show_error,
            done=lambda _: rx.toast.success("Agent assigned" if target else "Agent unassigned"),
        )

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

        def rename(scope: OrgScope) -> None:
            service.rename_client(scope.session, org=scope.org, client_id=client_id, name=name, actor=scope.actor)
            self._reload(scope)

        def failed(exc: DomainError) -> None:
            self.edit_error = fmt.error_text(exc)

        def renamed(_) -> object:
            self.edit_id = self.edit_name = ""
            return rx.toast.success("Client renamed")

        return self._org_action(rename, failed=failed, done=renamed)

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

        return self._org_action(delete, failed=self._show_error, done=lambda _: rx.toast.success(f"Deleted “{name}”"))
