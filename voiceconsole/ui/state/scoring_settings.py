"""Settings → Scoring: the organization's weights and alert threshold, per-client overrides, AI mode.

The form keeps what the user typed (as text) until the service accepts it: the service is the one
judge of what is valid, and its messages are shown next to the field they name. The live total is
only a hint while typing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from voiceconsole.scoring.scorer import CATEGORIES
from voiceconsole.services.clients import list_clients
from voiceconsole.services.errors import DomainError, Forbidden, ValidationFailed
from voiceconsole.services.scoring.settings import UNSET, scoring_settings, update_client_scoring, update_org_scoring
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope

SAVED_RESCORING = "Saved — rescoring in the background"
# Every field a message can be shown under; always all present, so the view can index them.
ERROR_KEYS = ("form", "weights", *(f"weights.{key}" for key in CATEGORIES), "alertThreshold")


def parse_number(text: str) -> Any:
    """A typed value as the service expects it: an int when it is one, else the text (which it refuses)."""
    text = (text or "").strip()
    try:
        return int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            return text
        return int(value) if value.is_integer() else value


def typed_total(weights: dict[str, str]) -> int | None:
    """The sum of the weights as typed; None while any of them is not a whole number."""
    total = 0
    for key in CATEGORIES:
        value = parse_number(weights.get(key, ""))
        if not isinstance(value, int):
            return None
        total += value
    return total


def total_message(weights: dict[str, str]) -> str:
    total = typed_total(weights)
    if total is None:
        return "Each weight must be a whole number"
    return "" if total == 100 else f"Weights must add up to 100 (they add up to {total})"


def no_errors() -> dict[str, str]:
    return dict.fromkeys(ERROR_KEYS, "")


def field_errors(exc: DomainError) -> dict[str, str]:
    """A service error as a message per field; one naming no field we show goes under "form"."""
    out = no_errors()
    for item in getattr(exc, "details", None) or []:
        name = str(item.get("field") or "form")
        name = name if name in out else "form"
        out[name] = out[name] or str(item.get("message") or exc.message)
    if not any(out.values()):
        out["form"] = exc.message
    return out


def without(errors: dict[str, str], *names: str) -> dict[str, str]:
    """The messages with those fields' cleared (the user is changing them)."""
    return {**no_errors(), **errors, **dict.fromkeys(names, "")}


def weight_texts(weights: dict[str, Any] | None) -> dict[str, str]:
    return {key: str((weights or {}).get(key, "")) for key in CATEGORIES}


def override_row(wire: dict[str, Any]) -> dict[str, str]:
    own, effective = wire.get("weights"), wire.get("effectiveWeights") or {}
    threshold = wire.get("alertThreshold")
    return {
        "id": wire["clientId"],
        "name": wire["clientName"],
        "own_weights": "yes" if own else "",
        **{f"w_{key}": f"{effective.get(key, 0)}%" for key in CATEGORIES},
        "threshold": str(threshold if threshold is not None else wire.get("effectiveAlertThreshold", "")),
        "own_threshold": "yes" if threshold is not None else "",
    }


class ScoringSettingsState(AuthState):
    weights: dict[str, str] = dict.fromkeys(CATEGORIES, "")  # as typed
    threshold: str = ""
    errors: dict[str, str] = no_errors()  # by the service's field name: weights, weights.outcome, …
    custom_weights: bool = False
    overrides: list[dict[str, str]] = []
    clients_without_override: list[dict[str, str]] = []
    ai: dict[str, str] = {"on": "", "model": ""}
    credits: dict[str, str] = dict.fromkeys(("remaining", "granted", "used", "plan", "period"), "")
    credits_left_percent: int = 0
    error: str = ""  # the page cannot be shown (client viewers)
    _saved: dict[str, Any] = {}  # what the service holds: weights, threshold
    _defaults: dict[str, int] = {}
    _use_defaults: bool = False  # "Restore defaults" pressed: saving clears the organization's own weights

    @rx.var
    def weights_total(self) -> str:
        total = typed_total(self.weights)
        return fmt.DASH if total is None else str(total)

    @rx.var
    def weights_message(self) -> str:
        """The service's complaint about the weights as a whole, else the live total check."""
        return self.errors.get("weights") or (total_message(self.weights) if self.weights else "")

    def _apply(self, data: dict[str, Any], clients: list[Any]) -> None:
        """Everything the service returned: the form (drafts replaced), overrides, AI mode, credits."""
        self._saved = {
            "weights": dict(data["weights"]),
            "threshold": data["alertThreshold"],
            "custom": data["customWeights"],
        }
        self._defaults = dict(data["defaultWeights"])
        self._use_defaults = False
        self.weights = weight_texts(data["weights"])
        self.threshold = str(data["alertThreshold"])
        self.custom_weights = bool(data["customWeights"])
        self._apply_overrides(data, clients)
        ai, credits = data["aiMode"], data["credits"]
        self.ai = {"on": "yes" if ai.get("configured") else "", "model": ai.get("model") or ""}
        granted = credits["granted"]
        self.credits = {
            "remaining": fmt.count(credits["remaining"]),
            "granted": fmt.count(granted),
            "used": fmt.count(credits["used"]),
            "plan": fmt.label(credits["plan"]),
            "period": credits["period"],
        }
        self.credits_left_percent = round(100 * credits["remaining"] / granted) if granted else 0

    def _apply_overrides(self, data: dict[str, Any], clients: list[Any]) -> None:
        self.overrides = [override_row(c) for c in data["clients"]]
        with_override = {row["id"] for row in self.overrides}
        self.clients_without_override = [{"id": c.id, "name": c.name} for c in clients if c.id not in with_override]

    def _reload(self, scope: OrgScope) -> None:
        data = scoring_settings(scope.session, org=scope.org, actor=scope.actor).wire()
        self._apply(data, list_clients(scope.session, org=scope.org, actor=scope.actor))

    @rx.event
    def load(self):
        self.errors, self.error = no_errors(), ""

        def failed(exc: Forbidden) -> None:  # client viewers
            self.error = exc.message

        return self._org_action(self._reload, failed=failed, catch=Forbidden)

    @rx.event
    def set_weight(self, key: str, value: str):
        if key not in CATEGORIES:
            return
        self.weights[key] = value
        self._use_defaults = False
        self.errors = without(self.errors, "weights", f"weights.{key}", "form")

    @rx.event
    def set_threshold(self, value: str):
        self.threshold = value
        self.errors = without(self.errors, "alertThreshold", "form")

    @rx.event
    def restore_defaults(self):
        self.weights = weight_texts(self._defaults)
        self._use_defaults = True
        self.errors = no_errors()

    @rx.event
    def save(self):
        typed = {key: parse_number(self.weights.get(key, "")) for key in CATEGORIES}
        weights: Any = UNSET
        if self._use_defaults:
            weights = None if self._saved.get("custom") else UNSET
        elif typed != self._saved.get("weights"):
            weights = typed
        threshold = parse_number(self.threshold)
        threshold = UNSET if threshold == self._saved.get("threshold") else threshold
        if weights is UNSET and threshold is UNSET:
            return rx.toast.info("Nothing to save: no changes")

        def update(scope: OrgScope) -> bool:
            rescoring = update_org_scoring(
                scope.session, org=scope.org, actor=scope.actor, weights=weights, alert_threshold=threshold
            )
            self._reload(scope)
            return rescoring

        def failed(exc: DomainError) -> None:
            self.errors = field_errors(exc)  # the form keeps what was typed

        def saved(rescoring: bool):
            self.errors = no_errors()
            return rx.toast.success(SAVED_RESCORING if rescoring else "Saved")

        return self._org_action(update, failed=failed, done=saved, catch=(ValidationFailed, Forbidden))


class ClientScoringState(ScoringSettingsState):
    """The per-client override editor (a dialog) and clearing an override."""

    edit_id: str = ""
    edit_name: str = ""
    edit_own_weights: bool = True
    edit_weights: dict[str, str] = dict.fromkeys(CATEGORIES, "")
    edit_threshold: str = ""  # blank: the organization's
    edit_errors: dict[str, str] = no_errors()

    @rx.var
    def editor_open(self) -> bool:
        return self.edit_id != ""

    @rx.var
    def edit_total(self) -> str:
        total = typed_total(self.edit_weights)
        return fmt.DASH if total is None else str(total)

    @rx.var
    def edit_weights_message(self) -> str:
        if not self.edit_own_weights:
            return ""
        return self.edit_errors.get("weights") or total_message(self.edit_weights)

    @rx.event
    def open_editor(self, client_id: str):
        row = next((r for r in self.overrides if r["id"] == client_id), None)
        other = next((c for c in self.clients_without_override if c["id"] == client_id), None)
        if row is None and other is None:
            return
        self.edit_id = client_id
        self.edit_name = (row or other)["name"]
        self.edit_own_weights = bool(row and row["own_weights"])
        source = (
            {key: row[f"w_{key}"].rstrip("%") for key in CATEGORIES}
            if row
            else weight_texts(self._saved.get("weights"))
        )
        self.edit_weights = source
        self.edit_threshold = row["threshold"] if row and row["own_threshold"] else ""
        self.edit_errors = no_errors()

    def _close_editor(self) -> None:
        self.edit_id = self.edit_name = ""
        self.edit_errors = no_errors()

    @rx.event
    def set_editor_open(self, is_open: bool):
        if not is_open:
            self._close_editor()

    @rx.event
    def set_edit_own_weights(self, value: bool):
        self.edit_own_weights = bool(value)
        self.edit_errors = without(self.edit_errors, *(k for k in ERROR_KEYS if k.startswith("weights")))

    @rx.event
    def set_edit_weight(self, key: str, value: str):
        if key in CATEGORIES:
            self.edit_weights[key] = value
            self.edit_errors = without(self.edit_errors, "weights", f"weights.{key}", "form")

    @rx.event
    def set_edit_threshold(self, value: str):
        self.edit_threshold = value
        self.edit_errors = without(self.edit_errors, "alertThreshold", "form")

    def _update(
        self,
        client_id: str,
        weights: Any,
        threshold: Any,
        *,
        failed: Callable[[DomainError], object],
        done: Callable[[bool], object],
    ):
        """Change one client's override through `_org_action`; refreshes the overrides (not the organization
        form being edited). `done` is told whether its calls are rescored."""

        def update(scope: OrgScope) -> bool:
            _, rescoring = update_client_scoring(
                scope.session,
                org=scope.org,
                client_id=client_id,
                actor=scope.actor,
                weights=weights,
                alert_threshold=threshold,
            )
            data = scoring_settings(scope.session, org=scope.org, actor=scope.actor).wire()
            self._apply_overrides(data, list_clients(scope.session, org=scope.org, actor=scope.actor))
            return rescoring

        return self._org_action(update, failed=failed, done=done)

    @rx.event
    def save_override(self):
        weights = (
            {key: parse_number(self.edit_weights.get(key, "")) for key in CATEGORIES} if self.edit_own_weights else None
        )
        threshold = None if not self.edit_threshold.strip() else parse_number(self.edit_threshold)

        def failed(exc: DomainError) -> None:
            self.edit_errors = field_errors(exc)  # the dialog stays open with what was typed

        def saved(rescoring: bool):
            name = self.edit_name
            self._close_editor()
            return rx.toast.success(f"{name}: {SAVED_RESCORING.lower()}" if rescoring else f"{name}: saved")

        return self._update(self.edit_id, weights, threshold, failed=failed, done=saved)

    @rx.event
    def clear_override(self, client_id: str, name: str):
        def cleared(rescoring: bool):
            return rx.toast.success(
                f"{name} now uses the organization's settings" + (" — rescoring in the background" if rescoring else "")
            )

        return self._update(client_id, None, None, failed=lambda exc: rx.toast.error(fmt.error_text(exc)), done=cleared)
