"""One pending "are you sure?" per page state: what is being confirmed, on which item.

A page state mixes this in, opens the dialog with `_ask_confirmation("revoke", key_id, name)`, and its
confirm handler takes the target back with `_take_confirmation("revoke")`, which also closes the
dialog. The dialog itself is `components.confirm_dialog.confirm_dialog`.
"""

from __future__ import annotations

import reflex as rx


class ConfirmationMixin(rx.State, mixin=True):
    confirm_action: str = ""  # e.g. "revoke", "delete"; "" while no confirmation is open
    confirm_id: str = ""
    confirm_label: str = ""  # the item's name, for the dialog's question

    def _ask_confirmation(self, action: str, target_id: str, label: str) -> None:
        self.confirm_action, self.confirm_id, self.confirm_label = action, target_id, label

    def _clear_confirmation(self) -> None:
        self.confirm_action = self.confirm_id = self.confirm_label = ""

    def _take_confirmation(self, action: str) -> tuple[str, str] | None:
        """(id, label) of the item if `action` was the one asked for; the dialog closes either way."""
        pending = (self.confirm_id, self.confirm_label) if self.confirm_action == action else None
        self._clear_confirmation()
        return pending if pending and pending[0] else None

    @rx.event
    def set_confirm_open(self, is_open: bool):
        if not is_open:
            self._clear_confirmation()
