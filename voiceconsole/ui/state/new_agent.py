"""The agents page's "New agent" dialog (owners and admins): a connected integration, a template, optionally
another name; creating it deploys the template to the platform (services/builder.create_agent) and opens
the new agent's builder. A refusal keeps every choice and shows next to what it names."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from voiceconsole.schemas.agent_spec import AgentSpec
from voiceconsole.schemas.builder import CreatedAgentOut
from voiceconsole.services import builder
from voiceconsole.services.errors import DomainError
from voiceconsole.services.integrations import list_integrations
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.builder_rows import builder_href


@dataclass
class IntegrationChoice:
    id: str = ""
    label: str = ""  # "Simulated Retell (Retell)"
    platform: str = ""


@dataclass
class TemplateCard:
    id: str = ""
    name: str = ""
    description: str = ""


def new_agent_spec(template_id: str, name: str) -> AgentSpec | None:
    """A template's spec, renamed when a name is given (None: no such template)."""
    chosen = builder.template(template_id)
    if chosen is None:
        return None
    spec = chosen.spec.model_copy(deep=True)
    return spec.model_copy(update={"name": name.strip()}) if name.strip() else spec


class NewAgentState(AuthState):
    open: bool = False
    integrations: list[IntegrationChoice] = []
    templates: list[TemplateCard] = []
    integration_id: str = ""
    template_id: str = ""
    name: str = ""
    integration_error: str = ""
    template_error: str = ""
    name_error: str = ""
    form_error: str = ""

    @rx.event
    def set_open(self, value: bool):
        if not value:
            self.open = False
            return None
        return self.start()

    @rx.event
    def start(self):
        """Open the dialog with the organization's connected integrations and the templates."""
        self.integration_error = self.template_error = self.name_error = self.form_error = ""
        self.templates = [TemplateCard(t.id, t.name, t.description) for t in builder.TEMPLATES]

        def read(scope: OrgScope) -> None:
            rows = list_integrations(scope.session, org=scope.org, actor=scope.actor)
            self.integrations = [
                IntegrationChoice(i.id, f"{i.label} ({fmt.PLATFORM_LABELS.get(i.platform, i.platform)})", i.platform)
                for i in rows
            ]

        def failed(exc: DomainError) -> None:
            self.integrations, self.form_error = [], fmt.error_text(exc)

        events = self._org_action(read, failed=failed)
        ids = {i.id for i in self.integrations}
        if self.integration_id not in ids:  # keep an earlier choice that is still there
            self.integration_id = self.integrations[0].id if len(self.integrations) == 1 else ""
        if self.template_id not in {t.id for t in self.templates}:
            self.template_id = ""
        self.open = True
        return events

    @rx.event
    def set_integration(self, value: str):
        self.integration_id, self.integration_error = value, ""

    @rx.event
    def pick_template(self, template_id: str):
        self.template_id, self.template_error = template_id, ""

    @rx.event
    def set_name(self, value: str):
        self.name, self.name_error = value, ""

    @rx.event
    def create(self):
        self.integration_error = self.template_error = self.name_error = self.form_error = ""
        chosen = next((i for i in self.integrations if i.id == self.integration_id), None)
        if chosen is None:
            self.integration_error = "Pick the platform account to create the agent in"
        spec = new_agent_spec(self.template_id, self.name)
        if spec is None:
            self.template_error = "Pick a template"
        if len(self.name.strip()) > 200:
            self.name_error = "At most 200 characters"
        if chosen is None or spec is None or self.name_error:
            return None
        template_id = self.template_id

        def create(scope: OrgScope) -> CreatedAgentOut:
            return builder.create_agent(
                scope.session,
                org=scope.org,
                actor=scope.actor,
                platform=chosen.platform,  # type: ignore[arg-type]  # an integration's platform, as stored
                integration_id=chosen.id,
                spec=spec,
                template_id=template_id,
                note=f"Created from the template {template_id}",
            )

        def failed(exc: DomainError):
            for d in exc.details:
                field, message = str(d.get("field", "")), str(d.get("message", ""))
                if field == "integrationId":
                    self.integration_error = message
                elif field == "spec.name":
                    self.name_error = message
                elif field == "templateId":
                    self.template_error = message
            if not (self.integration_error or self.name_error or self.template_error):
                self.form_error = fmt.error_text(exc)  # the plan's limit, a platform away, a refused spec
            return rx.toast.error(fmt.error_text(exc))

        def created(out: CreatedAgentOut):
            self.open = False
            self.name = self.template_id = ""
            return [rx.toast.success("Agent created"), rx.redirect(builder_href(out.agent_id))]

        return self._org_action(create, failed=failed, done=created)
