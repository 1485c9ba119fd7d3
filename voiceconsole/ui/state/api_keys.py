"""Settings → API keys: create (the full key is shown once), list, revoke."""

from __future__ import annotations

import reflex as rx

from voiceconsole.models import ApiKey
from voiceconsole.schemas import ApiKeyOut
from voiceconsole.services.api_keys import KEY_MANAGER_ROLES, create_api_key, list_api_keys, revoke_api_key
from voiceconsole.services.errors import DomainError, Forbidden
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import LOGIN_ROUTE, AuthState, NotSignedIn, OrgScope



def key_row(key: ApiKey, tz: str) -> dict[str, str]:
    wire = ApiKeyOut(id=key.public_id, name=key.name, prefix=key.prefix, role=key.role,
                     created_at=key.created_at, last_used_at=key.last_used_at).wire()
    return {
        "id": wire["id"],
        "name": wire["name"],
        "prefix": wire["prefix"] + "…",
        "role": fmt.label(wire["role"]),
        "created": fmt.datetime_label(wire["createdAt"], tz),
        "last_used": fmt.datetime_label(wire["lastUsedAt"], tz) if wire.get("lastUsedAt") else "Never",
    }


class ApiKeysState(AuthState):
    keys: list[dict[str, str]] = []
    name_draft: str = ""
    create_error: str = ""
    new_key: str = ""  # the full key, shown once; gone on dismiss or the next page load
    new_key_name: str = ""
    revoke_id: str = ""
    revoke_name: str = ""
    error: str = ""

    @rx.var
    def can_manage(self) -> bool:
        return self.role in KEY_MANAGER_ROLES

    @rx.var
    def revoke_open(self) -> bool:
        return self.revoke_id != ""

    def _reload(self, scope: OrgScope) -> None:
        self.keys = [key_row(k, self.timezone) for k in list_api_keys(scope.session, org=scope.org, actor=scope.actor)]

    @rx.event
    def load(self):
        self.new_key = self.new_key_name = ""
        self.create_error = self.error = ""
        self.revoke_id = self.revoke_name = ""
        self.keys = []
        try:
            with self.open_org() as scope:
                self._reload(scope)
        except NotSignedIn:
            return rx.redirect(LOGIN_ROUTE)
        except Forbidden as exc:
            self.error = exc.message
        return None

    @rx.event
    def set_name_draft(self, value: str):
        self.name_draft = value
        self.create_error = ""

    @rx.event
    def create_key(self, form_data: dict):
        name = str(form_data.get("name", self.name_draft) or "")
        try:
            with self.open_org() as scope:
                raw = create_api_key(scope.session, org=scope.org, name=name, actor=scope.actor).raw
                self._reload(scope)
        except NotSignedIn:
            return rx.redirect(LOGIN_ROUTE)
        except DomainError as exc:
            self.name_draft = name
            self.create_error = fmt.error_text(exc)
            return None
        self.new_key = raw
        self.new_key_name = name.strip()
        self.name_draft = ""
        self.create_error = ""
        return None

    @rx.event
    def dismiss_new_key(self):
        self.new_key = self.new_key_name = ""

    @rx.event
    def copy_new_key(self):
        return [rx.set_clipboard(self.new_key), rx.toast.success("API key copied to the clipboard")]

    @rx.event
    def ask_revoke(self, key_id: str, name: str):
        self.revoke_id, self.revoke_name = key_id, name

    @rx.event
    def set_revoke_open(self, is_open: bool):
        if not is_open:
            self.revoke_id = self.revoke_name = ""

    @rx.event
    def confirm_revoke(self):
        key_id, name = self.revoke_id, self.revoke_name
        self.revoke_id = self.revoke_name = ""
        if not key_id:
            return None
        try:
            with self.open_org() as scope:
                revoke_api_key(scope.session, org=scope.org, key_id=key_id, actor=scope.actor)
                self._reload(scope)
        except NotSignedIn:
            return rx.redirect(LOGIN_ROUTE)
        except DomainError as exc:
            self.error = exc.message
            return None
        return rx.toast.success(f"Revoked “{name}”")
