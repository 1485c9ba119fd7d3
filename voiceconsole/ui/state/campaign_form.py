"""/campaigns/new and /campaigns/<id>/edit: a campaign draft as a form (services/campaigns/campaigns.py).

What was typed stays whatever happens: the service's refusal (422) names each field at fault and the form shows
the message next to it. Only drafts are edited; owners and admins save (the service refuses the others).
"""

from __future__ import annotations

from dataclasses import fields

import reflex as rx

from voiceconsole.models.campaign_runs import RETRYABLE_OUTCOMES
from voiceconsole.schemas.campaigns import CampaignOut
from voiceconsole.services.agents import list_agents
from voiceconsole.services.campaigns import campaigns
from voiceconsole.services.clients.manage import list_clients
from voiceconsole.services.errors import DomainError, NotFound, ValidationFailed
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.campaign_fields import (
    LEAD_FIELD_LABELS,
    NONE,
    CampaignForm,
    VariableRow,
    form_of,
    payload,
    window_words,
)

NOT_SAVED = "Not saved: fix the fields marked below."
TEXT_FIELDS = {f.name for f in fields(CampaignForm) if f.type == "str"}
CALLER_HINTS = {
    "retell": "The Retell number the calls come from, in E.164 (e.g. +14155550100).",
    "vapi": "The Vapi phone number id the calls come from (phoneNumberId).",
}


class CampaignFormState(AuthState):
    editing_id: str = ""  # the draft being changed; "" while creating
    loading: bool = True
    blocked: str = ""  # why the form cannot be used (not a draft, not a manager, not found)
    # The form (campaign_fields.CampaignForm, field by field).
    name: str = ""
    client_id: str = NONE
    agent_id: str = ""
    caller_number: str = ""
    audience_kind: str = "tag"
    audience_tag: str = ""
    filter_status: str = NONE
    filter_client: str = NONE
    lead_ids: str = ""
    starts_at: str = ""
    ends_at: str = ""
    window_days: list[int] = []
    window_start: str = ""
    window_end: str = ""
    max_concurrent: str = ""
    max_attempts: str = ""
    retry_delay_minutes: str = ""
    retry_outcomes: list[str] = []
    leave_voicemail: bool = True
    voicemail_message: str = ""
    variables: list[VariableRow] = []
    success: str = ""
    success_field: str = ""
    # Choices and answers
    client_options: list[dict[str, str]] = []
    agent_options: list[dict[str, str]] = []  # Retell and Vapi agents: {id, name, platform}
    errors: dict[str, str] = {}  # wire field name (callerNumber, window, …) → message
    form_error: str = ""
    saving: bool = False

    @rx.var
    def window_valid(self) -> bool:
        return window_words(self.window_days, self.window_start, self.window_end)[0]

    @rx.var
    def window_text(self) -> str:
        return window_words(self.window_days, self.window_start, self.window_end)[1]

    @rx.var
    def caller_hint(self) -> str:
        platform = next((a["platform"] for a in self.agent_options if a["id"] == self.agent_id), "")
        return CALLER_HINTS.get(platform, "Retell: an E.164 number of the account; Vapi: a phone number id.")

    @rx.var
    def page_title(self) -> str:
        return "Edit campaign" if self.editing_id else "New campaign"

    def _fill(self, form: CampaignForm) -> None:
        for f in fields(CampaignForm):
            setattr(self, f.name, getattr(form, f.name))

    def _form(self) -> CampaignForm:
        return CampaignForm(**{f.name: getattr(self, f.name) for f in fields(CampaignForm)})

    @rx.event
    def load(self):
        parts = self.router.url.path.rstrip("/").split("/")
        self.editing_id = parts[-2] if parts[-1] == "edit" and len(parts) >= 4 else ""
        self.loading, self.blocked, self.errors, self.form_error, self.saving = True, "", {}, "", False
        self._fill(CampaignForm())

        def read(scope: OrgScope) -> None:
            clients = list_clients(scope.session, org=scope.org, actor=scope.actor)
            self.client_options = [{"id": c.id, "name": c.name} for c in clients]
            agents = []
            for platform in campaigns.DIAL_PLATFORMS:  # outbound campaigns dial through Retell or Vapi only
                rows, _ = list_agents(scope.session, org=scope.org, per_page=500, platform=platform, actor=scope.actor)
                agents += rows
            self.agent_options = [
                {
                    "id": a.id,
                    "name": f"{a.name} · {fmt.PLATFORM_LABELS.get(a.platform, a.platform)}",
                    "platform": a.platform,
                }
                for a in sorted(agents, key=lambda a: a.name.lower())
            ]
            if not self.can_manage:
                self.blocked = "Only owners and admins create and change campaigns."
                return
            if self.editing_id:
                out = campaigns.get_campaign(
                    scope.session, org=scope.org, actor=scope.actor, campaign_id=self.editing_id
                )
                if out.status not in campaigns.EDITABLE:
                    self.blocked = f"This campaign is {out.status}: only a draft can be changed."
                    return
                self._fill(form_of(out, self.timezone))

        def failed(exc: DomainError) -> None:
            self.blocked = "Campaign not found." if isinstance(exc, NotFound) else fmt.error_text(exc)

        events = self._org_action(read, failed=failed)
        self.loading = False
        return events

    # --- typing ---------------------------------------------------------------------------------------------

    @rx.event
    def set_field(self, name: str, value: str):
        if name in TEXT_FIELDS:
            setattr(self, name, value)

    @rx.event
    def toggle_day(self, day: int, on: bool):
        days = set(self.window_days) | {day} if on else set(self.window_days) - {day}
        self.window_days = sorted(days)

    @rx.event
    def toggle_outcome(self, outcome: str, on: bool):
        chosen = set(self.retry_outcomes) | {outcome} if on else set(self.retry_outcomes) - {outcome}
        self.retry_outcomes = [o for o in RETRYABLE_OUTCOMES if o in chosen]

    @rx.event
    def set_leave_voicemail(self, on: bool):
        self.leave_voicemail = on

    @rx.event
    def add_variable(self):
        self.variables = [*self.variables, VariableRow()]

    @rx.event
    def set_variable(self, index: int, part: str, value: str):
        if 0 <= index < len(self.variables) and part in ("name", "source", "custom"):
            if part == "source" and value not in LEAD_FIELD_LABELS:
                return
            setattr(self.variables[index], part, value)
            self.variables = [*self.variables]

    @rx.event
    def remove_variable(self, index: int):
        self.variables = [v for i, v in enumerate(self.variables) if i != index]

    # --- saving ---------------------------------------------------------------------------------------------

    @rx.event
    def save(self):
        """Create the draft, or change it; then open its page."""
        if self.saving or self.blocked:
            return None
        given = payload(self._form(), self.timezone)
        self.errors, self.form_error, self.saving = {}, "", True

        def write(scope: OrgScope) -> CampaignOut:
            if self.editing_id:
                return campaigns.update_campaign(
                    scope.session, org=scope.org, actor=scope.actor, campaign_id=self.editing_id, given=given
                )
            return campaigns.create_campaign(scope.session, org=scope.org, actor=scope.actor, given=given)

        def failed(exc: DomainError):
            self.saving = False
            if isinstance(exc, ValidationFailed) and exc.details:
                self.errors = {str(d.get("field", "")): str(d.get("message", "")) for d in exc.details}
                self.form_error = NOT_SAVED
            else:
                self.form_error = fmt.error_text(exc)
            return rx.toast.error(self.form_error)

        def saved(out: CampaignOut):
            self.saving = False
            return [rx.toast.success(f"Saved {out.name}"), rx.redirect(f"/campaigns/{out.id}")]

        return self._org_action(write, failed=failed, done=saved)
