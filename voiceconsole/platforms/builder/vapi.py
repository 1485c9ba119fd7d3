"""Vapi: one assistant object (`POST /assistant`, `PATCH /assistant/{id}`, `GET`, `DELETE`), camelCase, as
vapi-server-sdk sends it (`client.assistants.create/update`). Vapi keeps no versions: an update is live at once
(`Deployed.platform_version` is None).

What Vapi holds, and what it does not:
- `llm.model` → `model.{provider, model}`; the provider is told from the model's name (gpt/o1/o3/o4 → openai,
  claude → anthropic, gemini → google, llama/mixtral → groq, grok → xai, deepseek → deep-seek), or written
  out as "provider:model" ("groq:qwen-qwq-32b"), which is also how a read gives a model whose provider is not
  the one its name suggests. `voice_id` likewise: "Elliot" is Vapi's own voice, "11labs:<id>" another
  provider's. The prompt is the `system` message of `model.messages`; temperature `model.temperature`.
- `first_speaker`/`first_message` → `firstMessageMode` (assistant-speaks-first, …-with-model-generated-message
  when the message is empty, assistant-waits-for-user) and `firstMessage`.
- `language` → `transcriber.language` (Deepgram nova-3 for a new assistant; an update changes only the
  language of the transcriber it has).
- tools (in `model.tools`): end_call → `endCall`, transfer → `transferCall` with one number destination,
  webhook → `function` with `server: {url, headers}`. Vapi calls function tools with POST only: another method
  is refused before anything is sent (PlatformRejected on `tools[i].method`). Vapi's end-call and transfer
  tools have no name or description of their own, so every tool's name and description is also kept in
  `metadata.voiceconsole.toolLabels`.
- `dynamic_variables`: Vapi has no defaults on the assistant (values come per call in
  `assistantOverrides.variableValues`), so they are kept in `metadata.voiceconsole.dynamicVariables`: a
  campaign must send them.
- post-call data → `analysisPlan.structuredDataPlan` (a JSON schema, one property per field).
- voicemail: leave_message → `voicemailMessage`; hang_up → none (Vapi hangs up without one).
- `max_call_duration_s` → `maxDurationSeconds`; `webhook_url` → `server.url`.
Updates keep what the spec does not describe: the other keys of `model`, `server` (e.g. its `credentialId`),
`analysisPlan` and `metadata` stay as they are on the platform.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

from voiceconsole.platforms.builder.base import (
    AgentWriter,
    Deployed,
    Refs,
    clip,
    dict_of,
    extract_type,
    identifier,
    list_of,
    within,
)
from voiceconsole.platforms.writes import PlatformRejected
from voiceconsole.schemas.agent_spec import (
    AgentSpec,
    EndCallTool,
    ExtractField,
    LlmSettings,
    TransferTool,
    WebhookTool,
)

OURS = "voiceconsole"  # our key in the assistant's metadata
_MODEL_PROVIDERS = (
    ("gpt", "openai"),
    ("chatgpt", "openai"),
    ("o1", "openai"),
    ("o3", "openai"),
    ("o4", "openai"),
    ("claude", "anthropic"),
    ("gemini", "google"),
    ("llama", "groq"),
    ("mixtral", "groq"),
    ("grok", "xai"),
    ("deepseek", "deep-seek"),
)
_TOOL_KINDS = {"endCall": "end_call", "transferCall": "transfer", "function": "webhook"}


def _model_provider(model: str) -> str:
    return next((p for prefix, p in _MODEL_PROVIDERS if model.startswith(prefix)), "openai")


def _split(value: str, default: str | None) -> tuple[str, str]:
    """ "provider:name" → (provider, name); a bare name → (its default provider, name)."""
    provider, sep, name = value.partition(":")
    if sep and provider and name:
        return provider, name
    return (default or _model_provider(value)), value


def _join(provider: str | None, name: str, default: str) -> str:
    return name if not provider or provider == default else f"{provider}:{name}"


def to_platform(spec: AgentSpec) -> dict[str, Any]:
    """The `POST /assistant` body for `spec`."""
    provider, model = _split(spec.llm.model, None)
    voice_provider, voice_id = _split(spec.voice_id, "vapi")
    if spec.first_speaker == "user":
        mode = "assistant-waits-for-user"
    else:
        mode = "assistant-speaks-first" if spec.first_message else "assistant-speaks-first-with-model-generated-message"
    body: dict[str, Any] = {
        "name": spec.name,
        "firstMessage": spec.first_message or None,
        "firstMessageMode": mode,
        "model": {
            "provider": provider,
            "model": model,
            "temperature": spec.llm.temperature,
            "messages": [{"role": "system", "content": spec.system_prompt}],
            "tools": [_tool(i, tool) for i, tool in enumerate(spec.tools)],
        },
        "voice": {"provider": voice_provider, "voiceId": voice_id},
        "transcriber": {"provider": "deepgram", "model": "nova-3", "language": spec.language},
        "voicemailMessage": spec.voicemail_message if spec.voicemail == "leave_message" else None,
        "maxDurationSeconds": spec.max_call_duration_s,
        "analysisPlan": {"structuredDataPlan": _structured_data(spec.post_call_data)},
        "metadata": {
            OURS: {
                "dynamicVariables": dict(spec.dynamic_variables),
                "toolLabels": [{"kind": t.kind, "name": t.name, "description": t.description} for t in spec.tools],
            }
        },
    }
    if spec.webhook_url:
        body["server"] = {"url": spec.webhook_url}
    return body


def _tool(index: int, tool: EndCallTool | TransferTool | WebhookTool) -> dict[str, Any]:
    if isinstance(tool, EndCallTool):
        return {"type": "endCall"}
    if isinstance(tool, TransferTool):
        return {
            "type": "transferCall",
            "destinations": [{"type": "number", "number": tool.number, "description": tool.description}],
        }
    if tool.method != "POST":
        raise PlatformRejected(
            f"tools[{index}].method", f"Vapi calls function tools with POST only, not {tool.method}."
        )
    return {
        "type": "function",
        "function": {"name": tool.name, "description": tool.description, "parameters": tool.parameters},
        "server": {"url": tool.url, "headers": dict(tool.headers)},
    }


def _structured_data(fields: list[ExtractField]) -> dict[str, Any]:
    if not fields:
        return {"enabled": False}
    properties = {f.name: {"type": f.type, "description": f.description} for f in fields}
    return {"enabled": True, "schema": {"type": "object", "properties": properties}}


def from_platform(raw: dict[str, Any]) -> AgentSpec:
    """A spec from a Vapi Assistant object."""
    model = dict_of(raw.get("model"))
    voice = dict_of(raw.get("voice"))
    ours = dict_of(dict_of(raw.get("metadata")).get(OURS))
    system = next(
        (m.get("content") or "" for m in map(dict_of, list_of(model.get("messages"))) if m.get("role") == "system"), ""
    )
    mode = raw.get("firstMessageMode") or "assistant-speaks-first"
    model_name = str(model.get("model") or "gpt-4o")
    plan = dict_of(dict_of(raw.get("analysisPlan")).get("structuredDataPlan"))
    properties = dict_of(dict_of(plan.get("schema")).get("properties")) if plan.get("enabled") else {}
    voicemail = raw.get("voicemailMessage") or ""
    return AgentSpec(
        name=clip(raw.get("name") or raw.get("id") or "Vapi assistant", 200),
        language=dict_of(raw.get("transcriber")).get("language") or "en-US",
        voice_id=_join(voice.get("provider"), str(voice.get("voiceId") or "Elliot"), "vapi"),
        llm=LlmSettings(
            model=_join(model.get("provider"), model_name, _model_provider(model_name)),
            temperature=within(float(model.get("temperature") or 0), 0, 2),
        ),
        system_prompt=system,
        first_message=raw.get("firstMessage") or "",
        first_speaker="user" if mode == "assistant-waits-for-user" else "agent",
        dynamic_variables={identifier(k, "variable"): str(v) for k, v in dict_of(ours.get("dynamicVariables")).items()},
        tools=_spec_tools(list_of(model.get("tools")), list_of(ours.get("toolLabels"))),
        post_call_data=[
            ExtractField(
                name=identifier(name, "field"),
                type=extract_type(dict_of(schema).get("type")),
                description=clip(dict_of(schema).get("description")),
            )
            for name, schema in properties.items()
        ],
        voicemail="leave_message" if voicemail else "hang_up",
        voicemail_message=clip(voicemail, 2000),
        max_call_duration_s=int(within(float(raw.get("maxDurationSeconds") or 600), 30, 7200)),
        webhook_url=dict_of(raw.get("server")).get("url") or None,
    )


def _spec_tools(items: list[Any], labels: list[Any]) -> list[EndCallTool | TransferTool | WebhookTool]:
    tools: list[EndCallTool | TransferTool | WebhookTool] = []
    for index, item in enumerate(map(dict_of, items)):
        kind = _TOOL_KINDS.get(str(item.get("type")))
        label = dict_of(labels[index]) if index < len(labels) else {}
        if label.get("kind") != kind:
            label = {}
        if kind == "end_call":
            tools.append(
                EndCallTool(
                    name=identifier(label.get("name") or "end_call", "end_call"),
                    description=label.get("description") or EndCallTool().description,
                )
            )
        elif kind == "transfer":
            number = next(
                (d for d in map(dict_of, list_of(item.get("destinations"))) if d.get("type") == "number"), None
            )
            if number and number.get("number"):
                tools.append(
                    TransferTool(
                        name=identifier(label.get("name") or "transfer_call", "transfer_call"),
                        description=clip(number.get("description") or label.get("description")),
                        number=str(number["number"]),
                    )
                )
        elif kind == "webhook":
            function, server = dict_of(item.get("function")), dict_of(item.get("server"))
            if function.get("name") and server.get("url"):
                tools.append(
                    WebhookTool(
                        name=identifier(function["name"], "tool"),
                        description=clip(function.get("description")),
                        url=server["url"],
                        method="POST",
                        headers={str(k): str(v) for k, v in dict_of(server.get("headers")).items()},
                        parameters=dict_of(function.get("parameters")) or {"type": "object", "properties": {}},
                    )
                )
    return tools


class VapiAgentWriter(AgentWriter):
    platform = "vapi"
    error_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("maxDurationSeconds", "max_call_duration_s"),
        ("structuredDataPlan", "post_call_data"),
        ("analysisPlan", "post_call_data"),
        ("voicemailMessage", "voicemail_message"),
        ("firstMessageMode", "first_speaker"),
        ("firstMessage", "first_message"),
        ("model.temperature", "llm.temperature"),
        ("temperature", "llm.temperature"),
        ("model.messages", "system_prompt"),
        ("model.tools", "tools"),
        ("tools", "tools"),
        ("model.model", "llm.model"),
        ("model", "llm.model"),
        ("voiceId", "voice_id"),
        ("voice", "voice_id"),
        ("transcriber", "language"),
        ("language", "language"),
        ("server.url", "webhook_url"),
        ("server", "webhook_url"),
        ("name", "name"),
    )

    to_platform = staticmethod(to_platform)
    from_platform = staticmethod(from_platform)

    def create(self, spec: AgentSpec) -> Deployed:
        assistant = self._send("POST", "/assistant", json=to_platform(spec), once=True)
        return Deployed(str(assistant["id"]), {}, None)

    def update(self, platform_agent_id: str, refs: Refs, spec: AgentSpec) -> Deployed:
        path = f"/assistant/{quote(platform_agent_id, safe='')}"
        current = self._send("GET", path)
        self._send("PATCH", path, json=_keeping(current, to_platform(spec)))
        return Deployed(platform_agent_id, {}, None)

    def read(self, platform_agent_id: str) -> tuple[AgentSpec, Refs]:
        assistant = self._send("GET", f"/assistant/{quote(platform_agent_id, safe='')}")
        return from_platform(assistant), {}

    def delete(self, platform_agent_id: str, refs: Refs) -> None:
        self._send("DELETE", f"/assistant/{quote(platform_agent_id, safe='')}", missing_ok=True)


def _keeping(current: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The PATCH body: `body`, over what the assistant has that the spec does not describe (a PATCH replaces
    each top-level field it names)."""
    patch = dict(body)
    model = dict_of(current.get("model"))
    if model.get("provider") == body["model"]["provider"]:
        patch["model"] = {**model, **body["model"]}
    transcriber = dict_of(current.get("transcriber"))
    if transcriber:
        patch["transcriber"] = {**transcriber, "language": body["transcriber"]["language"]}
    if "server" in body:
        patch["server"] = {**dict_of(current.get("server")), **body["server"]}
    patch["analysisPlan"] = {**dict_of(current.get("analysisPlan")), **body["analysisPlan"]}
    patch["metadata"] = {**dict_of(current.get("metadata")), **body["metadata"]}
    return patch
