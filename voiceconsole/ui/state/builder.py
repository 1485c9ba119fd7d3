"""The Agent Builder page (/agents/<platform agent id>/builder): the agent's spec as a form, saved as draft
versions, the versions with a diff between any two, deploying one (an older one: rolling back) and the
platform's own changes (drift) imported as a version (services/builder).

The form keeps what was typed whatever happens: a refusal (the spec's shape, the platform, the prompt check
before a deploy) shows next to the fields it names. The prompt check runs on every change, on what the form
holds, so errors and warnings show while typing. Members read; owners and admins save and deploy."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import reflex as rx
from pydantic import ValidationError

from voiceconsole.schemas.agent_spec import (
    VARIABLE_RE,
    AgentSpec,
    LlmSettings,
)
from voiceconsole.schemas.builder import AgentConfigOut, DiffOut
from voiceconsole.services import builder
from voiceconsole.services.agents.lookup import find_agent
from voiceconsole.services.errors import DomainError, NotFound
from voiceconsole.ui import format as fmt
from voiceconsole.ui import links
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.builder_rows import (
    BLANK_PARAMETERS,
    FORM_FIELDS,
    NOT_SAVED,
    SOURCE_LABELS,
    TOOL_MODELS,
    TOOL_PARTS,
    ChangeRow,
    CheckRow,
    DiffLine,
    ExtractRow,
    ToolRow,
    VariableHint,
    VariableRow,
    VersionRow,
    change_row,
    diff_lines,
    headers_of,
    shape_errors,
    tool_row,
)
from voiceconsole.ui.state.confirmation import ConfirmationMixin


class BuilderState(ConfirmationMixin, AuthState):
    agent: dict[str, str] = {}  # id, name, platform, href
    loading: bool = True
    not_found: bool = False
    load_error: str = ""  # the configuration could not be read (a disconnected integration, a platform away)
    # The form: the latest version's spec as typed.
    name: str = ""
    language: str = ""
    voice_id: str = ""
    model: str = ""
    temperature: str = ""
    system_prompt: str = ""
    first_message: str = ""
    first_speaker: str = "agent"
    variables: list[VariableRow] = []
    tools: list[ToolRow] = []
    extract: list[ExtractRow] = []
    voicemail: str = "hang_up"
    voicemail_message: str = ""
    max_duration: str = ""
    note: str = ""
    # Not a field of the form: VoiceConsole fills it in on every deploy; carried over so a draft differs from
    # the version it was made from only by what was typed.
    _webhook_url: str | None = None
    errors: dict[str, str] = {}  # field path (systemPrompt, tools.0.number) → message, from the last save
    form_error: str = ""
    checks: list[CheckRow] = []  # the prompt check of what the form holds now
    hints: list[VariableHint] = []
    saving: bool = False
    # Versions
    version: int = 0  # the latest
    deployed_version: int = 0  # 0: none deployed from here
    versions: list[VersionRow] = []
    drift_changes: list[ChangeRow] = []
    drift_at: str = ""
    drift_error: str = ""
    deploy_error: str = ""
    diff_a: str = ""
    diff_b: str = ""
    diff_prompt: list[DiffLine] = []
    diff_changes: list[ChangeRow] = []
    diff_error: str = ""

    @rx.var
    def has_drift(self) -> bool:
        return len(self.drift_changes) > 0

    @rx.var
    def version_numbers(self) -> list[str]:
        return [str(v.number) for v in self.versions]

    @rx.var
    def check_errors(self) -> int:
        return len([c for c in self.checks if c.level == "error"])

    @rx.var
    def confirm_is_rollback(self) -> bool:
        return (
            self.confirm_action == "deploy"
            and self.deployed_version > 0
            and self.confirm_id.isdigit()
            and (int(self.confirm_id) < self.deployed_version)
        )

    @rx.var
    def doc_title(self) -> str:
        return f"Builder · {self.agent.get('name') or 'Agent'} · VoiceConsole"

    def _agent_id(self) -> str:
        # /agents/<id>/builder: the segment before "builder".
        parts = self.router.url.path.rstrip("/").split("/")
        return unquote(parts[-2]) if len(parts) >= 3 and parts[-1] == "builder" else ""

    # --- reading -------------------------------------------------------------------------------------------

    def _clear(self) -> None:
        self.agent, self.not_found, self.load_error = {}, False, ""
        self.errors, self.form_error, self.note, self.saving = {}, "", "", False
        self.versions, self.drift_changes, self.drift_at = [], [], ""
        self.drift_error = self.deploy_error = self.diff_error = ""
        self.diff_a = self.diff_b = ""
        self.diff_prompt, self.diff_changes = [], []
        self.version = self.deployed_version = 0
        self._clear_confirmation()

    @rx.event
    def load(self):
        """on_load: the agent in the URL, its latest version in the form; `?a=&b=` opens a diff."""
        self._clear()
        self.loading = True
        agent_id = self._agent_id()
        query = self.router.url.query_parameters

        def read(scope: OrgScope) -> None:
            agent = find_agent(scope.session, org=scope.org, agent_id=agent_id, actor=scope.actor)
            self.agent = {
                "id": agent.platform_agent_id,
                "name": agent.name,
                "platform": agent.platform,
                "href": links.agent_href(agent.platform_agent_id),
            }
            try:
                config = builder.get_config(scope.session, org=scope.org, agent_id=agent_id, actor=scope.actor)
            except DomainError as exc:
                self.load_error = fmt.error_text(exc)
                return
            self._show_config(config)
            self._read_versions(scope)
            a, b = str(query.get("a", "")), str(query.get("b", ""))
            if a.isdigit() and b.isdigit():
                self.diff_a, self.diff_b = a, b
            else:
                self._default_diff()
            self._read_diff(scope)

        def missing(_: NotFound) -> None:
            self.not_found = True

        events = self._org_action(read, catch=NotFound, failed=missing)
        self.loading = False
        return events

    def _show_config(self, config: AgentConfigOut) -> None:
        spec = config.spec
        self.name, self.language, self.voice_id = spec.name, spec.language, spec.voice_id
        self.model, self.temperature = spec.llm.model, f"{spec.llm.temperature:g}"
        self.system_prompt, self.first_message = spec.system_prompt, spec.first_message
        self.first_speaker = spec.first_speaker
        self.variables = [VariableRow(k, v) for k, v in spec.dynamic_variables.items()]
        self.tools = [tool_row(t) for t in spec.wire()["tools"]]
        self.extract = [ExtractRow(f.name, f.type, f.description) for f in spec.post_call_data]
        self.voicemail, self.voicemail_message = spec.voicemail, spec.voicemail_message
        self.max_duration = str(spec.max_call_duration_s)
        self._webhook_url = spec.webhook_url
        self.version, self.deployed_version = config.version, config.deployed_version or 0
        drift = config.drift
        self.drift_changes = [change_row(c) for c in drift.changes] if drift else []
        self.drift_at = fmt.datetime_label(drift.detected_at, self.timezone) if drift else ""
        self._recheck()

    def _read_versions(self, scope: OrgScope) -> None:
        rows = builder.list_versions(scope.session, org=scope.org, agent_id=self.agent["id"], actor=scope.actor)
        self.versions = [
            VersionRow(
                number=v.version,
                note=v.note,
                author=v.author,
                source=SOURCE_LABELS.get(v.source, fmt.label(v.source)),
                created=fmt.datetime_label(v.created_at, self.timezone),
                deployed=fmt.datetime_label(v.deployed_at, self.timezone) if v.deployed_at else "",
                live=v.live,
            )
            for v in rows
        ]

    def _default_diff(self) -> None:
        """The live version against the latest (the draft under review), else the latest two."""
        if self.deployed_version and self.deployed_version != self.version:
            self.diff_a, self.diff_b = str(self.deployed_version), str(self.version)
        elif self.version > 1:
            self.diff_a, self.diff_b = str(self.version - 1), str(self.version)
        else:
            self.diff_a = self.diff_b = str(self.version) if self.version else ""

    def _read_diff(self, scope: OrgScope) -> None:
        self.diff_prompt, self.diff_changes, self.diff_error = [], [], ""
        if not (self.diff_a.isdigit() and self.diff_b.isdigit()):
            return
        try:
            out: DiffOut = builder.diff(
                scope.session,
                org=scope.org,
                agent_id=self.agent["id"],
                a=int(self.diff_a),
                b=int(self.diff_b),
                actor=scope.actor,
            )
        except DomainError as exc:
            self.diff_error = fmt.error_text(exc)
            return
        self.diff_prompt = diff_lines(out.prompt)
        self.diff_changes = [change_row(c) for c in out.changes]

    @rx.event
    def set_diff_a(self, value: str):
        self.diff_a = value
        return self._org_action(self._read_diff, failed=self._diff_failed)

    @rx.event
    def set_diff_b(self, value: str):
        self.diff_b = value
        return self._org_action(self._read_diff, failed=self._diff_failed)

    def _diff_failed(self, exc: DomainError) -> None:
        self.diff_error = fmt.error_text(exc)

    # --- the form -------------------------------------------------------------------------------------------

    def _form(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The spec as the form holds it (camelCase, as AgentSpec reads it) and the fields that cannot become
        one (a temperature that is not a number, headers or parameters that do not parse)."""
        errors: dict[str, str] = {}

        def number(text: str, key: str, kind: type) -> Any:
            try:
                return kind(text.strip())
            except ValueError:
                errors[key] = "Enter a number"
                return text

        tools = []
        for i, row in enumerate(self.tools):
            tool: dict[str, Any] = {"kind": row.kind, "name": row.name.strip(), "description": row.description}
            if row.kind == "transfer":
                tool["number"] = row.number.strip()
            if row.kind == "webhook":
                tool |= {"url": row.url.strip(), "method": row.method}
                try:
                    tool["headers"] = headers_of(row.headers)
                except ValueError as exc:
                    errors[f"tools.{i}.headers"] = str(exc)
                if row.parameters.strip():
                    try:
                        tool["parameters"] = json.loads(row.parameters)
                    except json.JSONDecodeError as exc:
                        errors[f"tools.{i}.parameters"] = f"Not valid JSON: {exc.msg} (line {exc.lineno})"
            tools.append(tool)
        variables: dict[str, str] = {}
        for i, row in enumerate(self.variables):
            key = row.key.strip()
            if key in variables:
                errors[f"dynamicVariables.{i}"] = f"{key} is already listed"
            if key:
                variables[key] = row.value
        spec = {
            "name": self.name.strip(),
            "language": self.language.strip(),
            "voiceId": self.voice_id.strip(),
            "llm": {"model": self.model.strip(), "temperature": number(self.temperature, "llm.temperature", float)},
            "systemPrompt": self.system_prompt,
            "firstMessage": self.first_message,
            "firstSpeaker": self.first_speaker,
            "dynamicVariables": variables,
            "tools": tools,
            "postCallData": [
                {"name": r.name.strip(), "type": r.type, "description": r.description} for r in self.extract
            ],
            "voicemail": self.voicemail,
            "voicemailMessage": self.voicemail_message,
            "maxCallDurationS": number(self.max_duration, "maxCallDurationS", int),
            "webhookUrl": self._webhook_url,
        }
        return spec, errors

    def _lenient_spec(self, form: dict[str, Any]) -> AgentSpec:
        """Enough of the form to run the prompt check while other fields are still half typed: parts that do
        not validate are left at their defaults (or out, for a list item)."""
        tools = []
        for tool in form["tools"]:
            try:
                tools.append(TOOL_MODELS[tool["kind"]].model_validate({**tool, "name": tool["name"] or "unnamed"}))
            except (ValidationError, KeyError):
                continue
        return AgentSpec.model_construct(
            name="x",
            voice_id="x",
            llm=LlmSettings(),
            system_prompt=form["systemPrompt"],
            first_message=form["firstMessage"],
            first_speaker=form["firstSpeaker"] if form["firstSpeaker"] in ("agent", "user") else "agent",
            dynamic_variables=form["dynamicVariables"],
            tools=tools,
            post_call_data=[],
            voicemail=form["voicemail"],
            voicemail_message=form["voicemailMessage"],
        )

    def _recheck(self) -> None:
        """The prompt check and the variable hints of what the form holds now."""
        form, _ = self._form()
        spec = self._lenient_spec(form)
        self.checks = [CheckRow(f.level, f.field, f.message) for f in builder.check_spec(spec)]
        seen: list[str] = []
        for text in (self.system_prompt, self.first_message):
            for name in VARIABLE_RE.findall(text):
                if name not in seen:
                    seen.append(name)
        defaults = form["dynamicVariables"]
        self.hints = [VariableHint(n, n in defaults, defaults.get(n, "")) for n in seen]

    @rx.event
    def set_field(self, field: str, value: str):
        """One of the form's plain fields (name, system_prompt, …)."""
        if field not in FORM_FIELDS:
            return
        setattr(self, field, value)
        if field != "note":
            self._recheck()

    @rx.event
    def add_variable(self):
        self.variables = [*self.variables, VariableRow()]

    @rx.event
    def set_variable(self, index: int, part: str, value: str):
        if 0 <= index < len(self.variables) and part in ("key", "value"):
            row = self.variables[index]
            setattr(row, part, value)
            self.variables = [*self.variables]
            self._recheck()

    @rx.event
    def remove_variable(self, index: int):
        self.variables = [v for i, v in enumerate(self.variables) if i != index]
        self._recheck()

    @rx.event
    def add_tool(self, kind: str):
        names = {t.name for t in self.tools}
        base = {"end_call": "end_call", "transfer": "transfer_call", "webhook": "call_webhook"}.get(kind)
        if base is None:
            return
        name, n = base, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        row = ToolRow(kind=kind, name=name)
        if kind == "end_call":
            row.description = "End the call when the conversation is over."
        if kind == "webhook":
            row.url, row.parameters = "https://", BLANK_PARAMETERS
        self.tools = [*self.tools, row]
        self._recheck()

    @rx.event
    def set_tool(self, index: int, part: str, value: str):
        if 0 <= index < len(self.tools) and part in TOOL_PARTS:
            setattr(self.tools[index], part, value)
            self.tools = [*self.tools]
            self._recheck()

    @rx.event
    def remove_tool(self, index: int):
        self.tools = [t for i, t in enumerate(self.tools) if i != index]
        self._recheck()

    @rx.event
    def add_extract(self):
        self.extract = [*self.extract, ExtractRow()]

    @rx.event
    def set_extract(self, index: int, part: str, value: str):
        if 0 <= index < len(self.extract) and part in ("name", "type", "description"):
            setattr(self.extract[index], part, value)
            self.extract = [*self.extract]

    @rx.event
    def remove_extract(self, index: int):
        self.extract = [e for i, e in enumerate(self.extract) if i != index]

    # --- acting -------------------------------------------------------------------------------------------------

    def _refused(self, exc: DomainError) -> dict[str, str]:
        """A service refusal as field errors (spec.tools.0.number → tools.0.number); the rest as the form's."""
        out: dict[str, str] = {}
        for d in exc.details:
            key = str(d.get("field", ""))
            key = key.removeprefix("spec.") if key.startswith("spec.") else ""
            if key:
                out.setdefault(key, d.get("message", ""))
        return out

    def _after_change(self, scope: OrgScope, config: AgentConfigOut, a: int | None, b: int | None) -> None:
        self._show_config(config)
        self._read_versions(scope)
        if a and b:
            self.diff_a, self.diff_b = str(a), str(b)
        self._read_diff(scope)

    @rx.event
    def save_draft(self):
        """Save the form as a new version (nothing goes live); then show its diff against the one before."""
        self.errors, self.form_error = {}, ""
        form, errors = self._form()
        if errors:
            self.errors, self.form_error = errors, NOT_SAVED
            return None
        try:
            spec = AgentSpec.model_validate(form)
        except ValidationError as exc:
            self.errors, self.form_error = shape_errors(exc), NOT_SAVED
            return None
        note, before = self.note.strip(), self.version

        def save(scope: OrgScope) -> AgentConfigOut:
            config = builder.put_config(
                scope.session, org=scope.org, agent_id=self.agent["id"], actor=scope.actor, spec=spec, note=note
            )
            self._after_change(scope, config, before, config.version)
            return config

        def failed(exc: DomainError):
            self.errors = self._refused(exc)
            self.form_error = NOT_SAVED if self.errors else fmt.error_text(exc)
            return rx.toast.error(self.form_error)

        def saved(config: AgentConfigOut):
            self.note = ""
            return rx.toast.success(f"Saved as version {config.version}")

        return self._org_action(save, failed=failed, done=saved)

    @rx.event
    def ask_deploy(self, number: int):
        self.deploy_error = ""
        self._ask_confirmation("deploy", str(number), f"version {number}")

    @rx.event
    def deploy(self):
        pending = self._take_confirmation("deploy")
        if pending is None or not pending[0].isdigit():
            return None
        number, live_before = int(pending[0]), self.deployed_version
        rollback = bool(live_before) and number < live_before

        def work(scope: OrgScope) -> AgentConfigOut:
            config = builder.deploy_version(
                scope.session, org=scope.org, agent_id=self.agent["id"], number=number, actor=scope.actor
            )
            self._after_change(scope, config, live_before or None, number)
            return config

        def failed(exc: DomainError):
            self.deploy_error = fmt.error_text(exc)
            fields = self._refused(exc)
            if fields:  # the prompt check before the deploy: the form shows the version's problems
                self.deploy_error = f"Version {number} cannot be deployed: " + "; ".join(fields.values())
            return rx.toast.error(self.deploy_error)

        def done(_: AgentConfigOut):
            verb = "Rolled back to" if rollback else "Deployed"
            return rx.toast.success(f"{verb} version {number}: it is live on {self._platform_label()}")

        return self._org_action(work, failed=failed, done=done)

    def _platform_label(self) -> str:
        platform = self.agent.get("platform", "")
        return fmt.PLATFORM_LABELS.get(platform, platform or "the platform")

    @rx.event
    def import_drift(self):
        """The platform's change becomes a new version (the live one)."""
        self.drift_error = ""
        before = self.version

        def work(scope: OrgScope) -> AgentConfigOut:
            config = builder.import_drift(scope.session, org=scope.org, agent_id=self.agent["id"], actor=scope.actor)
            self._after_change(scope, config, before, config.version)
            return config

        def failed(exc: DomainError):
            self.drift_error = fmt.error_text(exc)
            return rx.toast.error(self.drift_error)

        def done(config: AgentConfigOut):
            return rx.toast.success(f"Imported as version {config.version}")

        return self._org_action(work, failed=failed, done=done)
