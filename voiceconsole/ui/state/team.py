"""Settings → Team: members with their roles, pending invitations, the invite form.

Owners and admins act here; members see the team read-only; client viewers never see it (the services
refuse them; the page says so). A refused invitation keeps what was typed and says why under the form.
"""

from __future__ import annotations

import reflex as rx
from sqlmodel import select

from voiceconsole.models import Client
from voiceconsole.services import accounts
from voiceconsole.services.access.permissions import can
from voiceconsole.services.errors import DomainError, Forbidden
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import LOGIN_ROUTE, AuthState, OrgScope
from voiceconsole.ui.state.confirmation import ConfirmationMixin

ROLE_OPTIONS = ("owner", "admin", "member", "client_viewer")


class TeamState(ConfirmationMixin, AuthState):
    members: list[dict[str, str]] = []
    invitations: list[dict[str, str]] = []
    clients: list[dict[str, str]] = []  # {id, name}: a client viewer's client
    can_manage_team: bool = False
    is_owner: bool = False
    error: str = ""
    # The invite form: kept as typed when refused
    invite_email: str = ""
    invite_role: str = "member"
    invite_client: str = ""
    invite_error: str = ""

    @rx.var
    def remove_open(self) -> bool:
        return self.confirm_action == "remove"

    @rx.var
    def invite_needs_client(self) -> bool:
        return self.invite_role == "client_viewer"

    def _reload(self, scope: OrgScope) -> None:
        s, org, actor = scope.session, scope.org, scope.actor
        names = {c.public_id: c.name for c in s.exec(select(Client).where(Client.organization_id == org.id))}
        self.members = [
            {
                "id": m.id,
                "email": m.email,
                "role": m.role,
                "role_label": fmt.label(m.role),
                "client": names.get(m.client_id or "", ""),
                "joined": fmt.datetime_label(m.joined_at, self.timezone),
                "me": "1" if m.email == self.user_email else "",
            }
            for m in accounts.list_members(s, org=org, actor=actor)
        ]
        self.invitations = [
            {
                "id": i.id,
                "email": i.email,
                "role_label": fmt.label(i.role),
                "client": names.get(i.client_id or "", ""),
                "sent": fmt.datetime_label(i.sent_at, self.timezone),
                "status": "Expired" if i.expired else "Pending",
            }
            for i in accounts.list_invitations(s, org=org, actor=actor)
        ]
        self.clients = [{"id": k, "name": v} for k, v in sorted(names.items(), key=lambda kv: kv[1].lower())]
        self.can_manage_team = can(actor, "members.manage")
        self.is_owner = can(actor, "ownership.manage")

    def _show_error(self, exc: DomainError) -> None:
        self.error = fmt.error_text(exc)

    @rx.event
    def load(self):
        self.error = self.invite_error = ""
        self._clear_confirmation()
        self.members, self.invitations = [], []
        return self._org_action(self._reload, failed=self._show_error, catch=Forbidden)

    # --- the invite form ------------------------------------------------------------------------------

    @rx.event
    def set_invite_email(self, value: str):
        self.invite_email, self.invite_error = value, ""

    @rx.event
    def set_invite_role(self, value: str):
        self.invite_role, self.invite_error = value, ""

    @rx.event
    def set_invite_client(self, value: str):
        self.invite_client, self.invite_error = value, ""

    @rx.event
    def invite(self, form_data: dict):
        email = str(form_data.get("email", self.invite_email) or "")
        role, client_id = self.invite_role, self.invite_client if self.invite_role == "client_viewer" else None
        self.invite_email = email

        def create(scope: OrgScope) -> None:
            accounts.create_invitation(
                scope.session, org=scope.org, email=email, role=role, client_id=client_id or None, actor=scope.actor
            )
            self._reload(scope)

        def failed(exc: DomainError) -> None:
            self.invite_error = fmt.error_text(exc)

        def sent(_: None):
            self.invite_email, self.invite_error = "", ""
            return rx.toast.success(f"Invitation sent to {email.strip()}")

        return self._org_action(create, failed=failed, done=sent)

    # --- members --------------------------------------------------------------------------------------

    def _act(self, work, message: str):
        def run(scope: OrgScope) -> None:
            work(scope)
            self._reload(scope)

        self.error = ""
        return self._org_action(run, failed=self._show_error, done=lambda _: rx.toast.success(message))

    @rx.event
    def change_role(self, member_id: str, email: str, role: str):
        return self._act(
            lambda scope: accounts.change_role(
                scope.session, org=scope.org, member_id=member_id, role=role, actor=scope.actor
            ),
            f"{email} is now {fmt.label(role)}",
        )

    @rx.event
    def ask_remove(self, member_id: str, email: str):
        self._ask_confirmation("remove", member_id, email)

    @rx.event
    def confirm_remove(self):
        target = self._take_confirmation("remove")
        if target is None:
            return None
        member_id, email = target
        leaving = email == self.user_email

        def remove(scope: OrgScope) -> None:
            accounts.remove_member(scope.session, org=scope.org, member_id=member_id, actor=scope.actor)
            if not leaving:
                self._reload(scope)

        def done(_: None):
            return rx.redirect(LOGIN_ROUTE) if leaving else rx.toast.success(f"Removed {email}")

        self.error = ""
        return self._org_action(remove, failed=self._show_error, done=done)

    @rx.event
    def ask_transfer(self, member_id: str, email: str):
        self._ask_confirmation("transfer", member_id, email)

    @rx.event
    def confirm_transfer(self):
        target = self._take_confirmation("transfer")
        if target is None:
            return None
        member_id, email = target
        return self._act(
            lambda scope: accounts.transfer_ownership(
                scope.session, org=scope.org, member_id=member_id, actor=scope.actor
            ),
            f"{email} is now an owner; you are an admin",
        )

    # --- invitations ----------------------------------------------------------------------------------

    @rx.event
    def resend(self, invitation_id: str, email: str):
        return self._act(
            lambda scope: accounts.resend_invitation(
                scope.session, org=scope.org, invitation_id=invitation_id, actor=scope.actor
            ),
            f"Invitation sent to {email} again",
        )

    @rx.event
    def revoke(self, invitation_id: str, email: str):
        return self._act(
            lambda scope: accounts.revoke_invitation(
                scope.session, org=scope.org, invitation_id=invitation_id, actor=scope.actor
            ),
            f"Invitation to {email} revoked",
        )
