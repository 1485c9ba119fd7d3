"""Settings → API keys: create (the full key is shown once), list, revoke."""

from __future__ import annotations

import reflex as rx

from voiceconsole.schemas import ApiKeyOut
from voiceconsole.services.api_keys import create_api_key, list_api_keys, revoke_api_key
from voiceconsole.services.errors import DomainError, Forbidden
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.confirmation import ConfirmationMixin


def key_row(key: ApiKeyOut, tz: str) -> dict[str, str]:
    wire = key.wire()
    return {
        "id": wire["id"],
        "name": wire["name"],
        "prefix": wire["prefix"] + "…",
        "role": fmt.label(wire["role"]),
        "created": fmt.datetime_label(wire["createdAt"], tz),
        "last_used": fmt.datetime_label(wire["lastUsedAt"], tz) if wire.get("lastUsedAt") else "Never",
    }


class ApiKeysState(ConfirmationMixin, AuthState):
    keys: list[dict[str, str]] = []
    name_draft: str = ""
    create_error: str = ""
    new_key: str = ""  # the full key, shown once; gone on dismiss or the next page load
    new_key_name: str = ""
    error: str = ""

    @rx.var
    def revoke_open(self) -> bool:
        return self.confirm_action == "revoke"

    def _reload(self, scope: OrgScope) -> None:
        self.keys = [key_row(k, self.timezone) for k in list_api_keys(scope.session, org=scope.org, actor=scope.actor)]

    @rx.event
    def load(self):
        self.new_key = self.new_key_name = ""
        self.create_error = self.error = ""
        self._clear_confirmation()
        self.keys = []
        return self._org_action(self._reload, failed=self._show_error, catch=Forbidden)

    @rx.event
    def set_name_draft(self, value: str):
        self.name_draft = value
        self.create_error = ""

    @rx.event
    def create_key(self, form_data: dict):
        name = str(form_data.get("name", self.name_draft) or "")

        def create(scope: OrgScope) -> str:
            raw = create_api_key(scope.session, org=scope.org, name=name, actor=scope.actor).key
            self._reload(scope)
            return raw

        def failed(exc: DomainError) -> None:
            self.name_draft = name
            self.create_error = fmt.error_text(exc)

        def created(raw: str) -> None:
            self.new_key = raw
            self.new_key_name = name.strip()
            self.name_draft = ""
            self.create_error = ""

        return self._org_action(create, failed=failed, done=created)

    @rx.event
    def dismiss_new_key(self):
        self.new_key = self.new_key_name = ""

    @rx.event
    def copy_new_key(self):
        return [rx.set_clipboard(self.new_key), rx.toast.success("API key copied to the clipboard")]

    @rx.event
    def ask_revoke(self, key_id: str, name: str):
        self._ask_confirmation("revoke", key_id, name)

    def _show_error(self, exc: DomainError) -> None:
        self.error = exc.message

    @rx.event
    def confirm_revoke(self):
        target = self._take_confirmation("revoke")
        if target is None:
            return None
        key_id, name = target

        def revoke(scope: OrgScope) -> None:
            revoke_api_key(scope.session, org=scope.org, key_id=key_id, actor=scope.actor)
            self._reload(scope)

        return self._org_action(revoke, failed=self._show_error, done=lambda _: rx.toast.success(f"Revoked “{name}”"))
