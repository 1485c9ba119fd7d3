"""One lead: its fields (edit, delete) and every dial attempt with its call and outcome."""

from __future__ import annotations

from typing import Any

import reflex as rx

from voiceconsole.services.campaigns import leads
from voiceconsole.services.clients import list_clients
from voiceconsole.services.errors import DomainError, NotFound
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.confirmation import ConfirmationMixin
from voiceconsole.ui.state.leads import NO_CLIENT, field_errors, lead_name

# The edit form's text inputs, by the service's field names.
TEXT_FIELDS = ("first_name", "last_name", "phone", "email", "company", "timezone", "tags")
FORM_FIELDS = (*TEXT_FIELDS, "custom_fields", "client_id", "status")


def custom_text(values: dict[str, Any]) -> str:
    """Custom fields as the form edits them: one `name = value` per line."""
    return "\n".join(f"{k} = {v}" for k, v in values.items())


def parse_custom(text: str) -> dict[str, str]:
    """The form's `name = value` lines back into custom fields (blank lines skipped; a line without `=` is
    a name with an empty value). The service checks the names."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, value = line.partition("=")
        out[name.strip()] = value.strip()
    return out


def lead_view(wire: dict[str, Any], clients: dict[str, str]) -> dict[str, str]:
    """The lead as the page shows and the form starts from (strings only)."""
    return {
        "id": wire["id"],
        "name": lead_name(wire),
        **{name: str(wire.get(leads.WIRE[name]) or "") for name in ("first_name", "last_name", "phone")},
        **{name: str(wire.get(name) or "") for name in ("email", "company", "timezone", "status")},
        "tags": ", ".join(wire.get("tags") or []),
        "custom_fields": custom_text(wire.get("customFields") or {}),
        "client_id": wire.get("clientId") or NO_CLIENT,
        "client": clients.get(wire.get("clientId") or "", ""),
    }


def attempt_row(wire: dict[str, Any], tz: str) -> dict[str, str]:
    return {
        "id": wire["id"],
        "campaign": wire["campaignName"],
        "n": str(wire["n"]),
        "when": fmt.datetime_label(wire.get("dialedAt") or wire.get("createdAt"), tz, short=True),
        "status": fmt.label(wire.get("status")),
        "outcome": fmt.label(wire.get("outcome")) if wire.get("outcome") else fmt.DASH,
        "reason": wire.get("outcomeReason") or "",
        "converted": "yes" if wire.get("converted") else "",
        "call_href": f"/calls/{wire['callId']}" if wire.get("callId") else "",
    }


class LeadDetailState(ConfirmationMixin, AuthState):
    lead: dict[str, str] = {}
    attempts: list[dict[str, str]] = []
    client_options: list[dict[str, str]] = []
    not_found: bool = False
    error: str = ""
    form_errors: dict[str, str] = {}
    saved: str = ""

    def _route_lead_id(self) -> str:
        # /leads/[lead_id]: the last path segment of the URL the browser is on.
        return self.router.url.path.rstrip("/").rsplit("/", 1)[-1]

    @rx.var
    def doc_title(self) -> str:
        return f"{self.lead.get('name') or 'Lead'} · VoiceConsole"

    @rx.event
    def load(self):
        self.lead, self.attempts, self.not_found = {}, [], False
        self.error, self.saved, self.form_errors = "", "", {}
        lead_id, tz = self._route_lead_id(), self.timezone

        def read(s: OrgScope):
            clients = list_clients(s.session, org=s.org, actor=s.actor)
            lead = leads.get_lead(s.session, org=s.org, actor=s.actor, lead_id=lead_id)
            attempts = leads.list_lead_attempts(s.session, org=s.org, actor=s.actor, lead_id=lead_id)
            return clients, lead, attempts

        def failed(exc: DomainError) -> None:
            self.not_found = isinstance(exc, NotFound)
            self.error = "" if self.not_found else fmt.error_text(exc)

        def show(result) -> None:
            clients, lead, attempts = result
            self.client_options = [{"id": c.id, "name": c.name} for c in clients]
            self.lead = lead_view(lead.wire(), {c.id: c.name for c in clients})
            self.attempts = [attempt_row(a.wire(), tz) for a in attempts]

        return self._org_action(read, failed=failed, done=show)

    @rx.event
    def save(self, form_data: dict):
        """Change the lead to the form's values (an empty field clears it); refusals show under each field."""
        self.form_errors, self.error, self.saved = {}, "", ""
        lead_id, before = self._route_lead_id(), dict(self.lead)
        given: dict[str, Any] = {name: str(form_data.get(name) or "") for name in TEXT_FIELDS}
        given["custom_fields"] = parse_custom(str(form_data.get("custom_fields") or ""))
        client = str(form_data.get("client_id") or NO_CLIENT)
        status = str(form_data.get("status") or before.get("status") or "")
        clients = {c["id"]: c["name"] for c in self.client_options}

        def work(s: OrgScope):
            return leads.update_lead(
                s.session,
                org=s.org,
                actor=s.actor,
                lead_id=lead_id,
                given=given,
                client_id=None if client == NO_CLIENT else client,
                # Unchanged, it is not asked for: a listed number's lead stays do_not_call without a 409.
                status=status if status != before.get("status") else None,
            )

        def failed(exc: DomainError) -> None:
            self.form_errors, self.error = field_errors(exc, FORM_FIELDS)

        def done(out) -> None:
            self.lead = lead_view(out.wire(), clients)
            self.saved = "Saved."

        return self._org_action(work, failed=failed, done=done)

    @rx.event
    def ask_delete(self):
        self._ask_confirmation("delete", self.lead.get("id", ""), self.lead.get("name", ""))

    @rx.event
    def delete(self):
        pending = self._take_confirmation("delete")
        if pending is None:
            return None
        lead_id, name = pending

        def failed(exc: DomainError) -> None:
            self.error = fmt.error_text(exc)

        def done(_out) -> Any:
            return [rx.toast.success(f"Lead {name} deleted"), rx.redirect("/leads")]

        return self._org_action(
            lambda s: leads.delete_lead(s.session, org=s.org, actor=s.actor, lead_id=lead_id), failed=failed, done=done
        )
