"""The prompt check before a deploy: errors block it, warnings are shown and do not.

Errors: an empty system prompt, a transfer number not in E.164 (the platform would take it and the
transfer would fail on a live call), a `{{variable}}` with no default that no campaign can fill (only a
warning: campaigns fill lead fields per call). Warnings: an empty first message while the agent speaks
first, tools without descriptions (the LLM picks tools by their description), leaving a voicemail with
no message."""

from __future__ import annotations

import re

from voiceconsole.schemas.agent_spec import AgentSpec, TransferTool, WebhookTool
from voiceconsole.schemas.builder import Finding

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def check_spec(spec: AgentSpec) -> list[Finding]:
    found: list[Finding] = []

    def add(level: str, field: str, message: str) -> None:
        found.append(Finding(level=level, field=field, message=message))

    if not spec.system_prompt.strip():
        add("error", "systemPrompt", "The system prompt is empty")
    if spec.first_speaker == "agent" and not spec.first_message.strip():
        add("warning", "firstMessage", "The agent speaks first but has no first message: the LLM will improvise one")
    unresolved = sorted(spec.variables_used() - set(spec.dynamic_variables))
    for name in unresolved:
        add(
            "warning",
            "dynamicVariables",
            f"{{{{{name}}}}} has no default value: calls not started by a campaign will read it empty",
        )
    names: set[str] = set()
    for i, tool in enumerate(spec.tools):
        if tool.name in names:
            add("error", f"tools.{i}.name", f"Another tool is already named {tool.name}")
        names.add(tool.name)
        if not tool.description.strip():
            add("warning", f"tools.{i}.description", f"{tool.name} has no description: the LLM may never use it")
        if isinstance(tool, TransferTool) and not E164.match(tool.number):
            add("error", f"tools.{i}.number", f"{tool.number!r} is not an E.164 number (e.g. +14155550100)")
        if isinstance(tool, WebhookTool) and not tool.url.startswith("https://"):
            add("warning", f"tools.{i}.url", "The webhook is not HTTPS: what the caller says travels unencrypted")
    if spec.voicemail == "leave_message" and not spec.voicemail_message.strip():
        add("error", "voicemailMessage", "Leaving a voicemail needs the message to leave")
    return found


def blocking(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.level == "error"]
