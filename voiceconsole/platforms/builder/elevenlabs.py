"""ElevenLabs Agents: one agent object (`POST /v1/convai/agents/create`, `PATCH`/`GET`/`DELETE
/v1/convai/agents/{id}`), as the elevenlabs SDK sends it (`client.conversational_ai.agents.create/update`).
Every PATCH makes a new version: `Deployed.platform_version` is the agent's `version_id` (None if the account does not
version).

What ElevenLabs holds, and what it does not:
- `conversation_config.agent`: `first_message`, `language`, `dynamic_variables.dynamic_variable_placeholders`,
  `prompt.{prompt, llm, temperature, tools}`; `conversation_config.tts.voice_id`;
  `conversation_config.conversation.max_duration_seconds`; post-call data in `platform_settings.data_collection`
  (`{name: {type, description}}`).
- `language`: ElevenLabs takes a language code ("en", "es", "pt-br"), so "en-US" is sent, and read back, as
  "en" (regional tags are kept only for pt-BR and zh-*).
- `first_speaker`: the agent speaks first exactly when `first_message` is not empty, so `first_speaker: "user"`
  sends an empty first message (the text is dropped) and a spec with an empty first message reads back as
  `first_speaker: "user"`.
- tools: end_call → system tool `end_call`; transfer → system tool `transfer_to_number` (one phone
  destination, its condition the tool's description); webhook → `webhook` tool with
  `api_schema.{url, method, request_headers, request_body_schema}` (GET and DELETE: the parameters go in
  `query_params_schema`, which keeps only `properties` and `required`).
- voicemail: the system tool `voicemail_detection`, with `voicemail_message` for leave_message.
- `webhook_url` is not held: ElevenLabs sends post-call webhooks to a workspace webhook chosen by id
  (`platform_settings.workspace_overrides.webhooks.post_call_webhook_id`), set up with the integration, not a
  URL per agent. It is dropped and reads back as None.
An update sends `null` for variables and data-collection fields the platform has but the spec no longer does
(a PATCH merges objects), and leaves every setting the spec does not describe as it is.
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
    http_method,
    identifier,
    list_of,
    within,
)
from voiceconsole.schemas.agent_spec import (
    AgentSpec,
    EndCallTool,
    ExtractField,
    LlmSettings,
    TransferTool,
    WebhookTool,
)

VOICEMAIL_TOOL = "voicemail_detection"
_QUERY_METHODS = ("GET", "DELETE")
_REGIONAL = ("pt-br", "zh-")  # language codes ElevenLabs keeps with their region


def platform_language(tag: str) -> str:
    lowered = tag.lower()
    if lowered.startswith(_REGIONAL):
        return lowered
    return lowered.split("-")[0]


def to_platform(spec: AgentSpec) -> dict[str, Any]:
    """The create body for `spec` (a PATCH takes the same)."""
    tools = [_tool(tool) for tool in spec.tools]
    message = spec.voicemail_message if spec.voicemail == "leave_message" else None
    tools.append(
        {
            "type": "system",
            "name": VOICEMAIL_TOOL,
            "description": "",
            "params": {"system_tool_type": VOICEMAIL_TOOL, "voicemail_message": message},
        }
    )
    return {
        "name": spec.name,
        "conversation_config": {
            "agent": {
                "first_message": spec.first_message if spec.first_speaker == "agent" else "",
                "language": platform_language(spec.language),
                "dynamic_variables": {"dynamic_variable_placeholders": dict(spec.dynamic_variables)},
                "prompt": {
                    "prompt": spec.system_prompt,
                    "llm": spec.llm.model,
                    "temperature": spec.llm.temperature,
                    "tools": tools,
                },
            },
            "tts": {"voice_id": spec.voice_id},
            "conversation": {"max_duration_seconds": spec.max_call_duration_s},
        },
        "platform_settings": {
            "data_collection": {f.name: {"type": f.type, "description": f.description} for f in spec.post_call_data}
        },
    }


def _tool(tool: EndCallTool | TransferTool | WebhookTool) -> dict[str, Any]:
    if isinstance(tool, EndCallTool):
        return {
            "type": "system",
            "name": tool.name,
            "description": tool.description,
            "params": {"system_tool_type": "end_call"},
        }
    if isinstance(tool, TransferTool):
        transfer = {
            "transfer_destination": {"type": "phone", "phone_number": tool.number},
            "condition": tool.description,
        }
        return {
            "type": "system",
            "name": tool.name,
            "description": tool.description,
            "params": {"system_tool_type": "transfer_to_number", "transfers": [transfer]},
        }
    schema: dict[str, Any] = {"url": tool.url, "method": tool.method, "request_headers": dict(tool.headers)}
    if tool.method in _QUERY_METHODS:
        query = {"properties": tool.parameters.get("properties", {})}
        if "required" in tool.parameters:
            query["required"] = tool.parameters["required"]
        schema["query_params_schema"] = query
    else:
        schema["request_body_schema"] = tool.parameters
    return {"type": "webhook", "name": tool.name, "description": tool.description, "api_schema": schema}


def from_platform(raw: dict[str, Any]) -> AgentSpec:
    """A spec from an ElevenLabs agent object (`GET /v1/convai/agents/{id}`)."""
    config = dict_of(raw.get("conversation_config"))
    agent = dict_of(config.get("agent"))
    prompt = dict_of(agent.get("prompt"))
    tools: list[EndCallTool | TransferTool | WebhookTool] = []
    voicemail: str | None = None
    for item in map(dict_of, list_of(prompt.get("tools"))):
        params = dict_of(item.get("params"))
        if item.get("type") == "system" and params.get("system_tool_type") == VOICEMAIL_TOOL:
            voicemail = params.get("voicemail_message") or ""
            continue
        tool = _spec_tool(item, params)
        if tool is not None:
            tools.append(tool)
    placeholders = dict_of(dict_of(agent.get("dynamic_variables")).get("dynamic_variable_placeholders"))
    collected = dict_of(dict_of(raw.get("platform_settings")).get("data_collection"))
    first = agent.get("first_message") or ""
    return AgentSpec(
        name=clip(raw.get("name") or raw.get("agent_id") or "ElevenLabs agent", 200),
        language=agent.get("language") or "en",
        voice_id=dict_of(config.get("tts")).get("voice_id") or "cjVigY5qzO86Huf0OWal",
        llm=LlmSettings(
            model=prompt.get("llm") or "gemini-2.0-flash",
            temperature=within(float(prompt.get("temperature") or 0), 0, 2),
        ),
        system_prompt=prompt.get("prompt") or "",
        first_message=first,
        first_speaker="agent" if first else "user",
        dynamic_variables={identifier(k, "variable"): str(v) for k, v in placeholders.items() if v is not None},
        tools=tools,
        post_call_data=[
            ExtractField(
                name=identifier(name, "field"),
                type=extract_type(dict_of(item).get("type")),
                description=clip(dict_of(item).get("description")),
            )
            for name, item in collected.items()
            if item is not None
        ],
        voicemail="leave_message" if voicemail else "hang_up",
        voicemail_message=clip(voicemail, 2000),
        max_call_duration_s=int(
            within(float(dict_of(config.get("conversation")).get("max_duration_seconds") or 600), 30, 7200)
        ),
        webhook_url=None,
    )


def _spec_tool(item: dict[str, Any], params: dict[str, Any]) -> EndCallTool | TransferTool | WebhookTool | None:
    name, description = identifier(item.get("name") or "", "tool"), clip(item.get("description"))
    if item.get("type") == "system" and params.get("system_tool_type") == "end_call":
        return EndCallTool(name=name, description=description)
    if item.get("type") == "system" and params.get("system_tool_type") == "transfer_to_number":
        for transfer in map(dict_of, list_of(params.get("transfers"))):
            destination = dict_of(transfer.get("transfer_destination"))
            number = destination.get("phone_number") or transfer.get("phone_number")
            if destination.get("type", "phone") == "phone" and number:
                return TransferTool(name=name, description=description, number=str(number))
        return None
    schema = dict_of(item.get("api_schema"))
    if item.get("type") == "webhook" and schema.get("url"):
        if "request_body_schema" in schema:
            parameters = dict_of(schema["request_body_schema"])
        else:
            query = dict_of(schema.get("query_params_schema"))
            parameters = {"type": "object", "properties": dict_of(query.get("properties"))}
            if "required" in query:
                parameters["required"] = query["required"]
        return WebhookTool(
            name=name,
            description=description,
            url=schema["url"],
            method=http_method(schema.get("method")),
            # A header may be a secret or variable reference ({"secret_id": ...}): kept as its JSON text.
            headers={
                str(k): v if isinstance(v, str) else str(v) for k, v in dict_of(schema.get("request_headers")).items()
            },
            parameters=parameters if parameters.get("type") == "object" else {"type": "object", "properties": {}},
        )
    return None


class ElevenLabsAgentWriter(AgentWriter):
    platform = "elevenlabs"
    error_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("max_duration_seconds", "max_call_duration_s"),
        ("data_collection", "post_call_data"),
        ("dynamic_variable_placeholders", "dynamic_variables"),
        ("dynamic_variables", "dynamic_variables"),
        ("voicemail_message", "voicemail_message"),
        ("first_message", "first_message"),
        ("temperature", "llm.temperature"),
        ("llm", "llm.model"),
        ("tools", "tools"),
        ("voice_id", "voice_id"),
        ("language", "language"),
        ("prompt", "system_prompt"),
        ("name", "name"),
    )

    to_platform = staticmethod(to_platform)
    from_platform = staticmethod(from_platform)

    def create(self, spec: AgentSpec) -> Deployed:
        created = self._send("POST", "/v1/convai/agents/create", json=to_platform(spec), once=True)
        agent_id = str(created["agent_id"])
        version = created.get("version_id") or created.get("initial_version_id")
        return Deployed(agent_id, {}, None if version is None else str(version))

    def update(self, platform_agent_id: str, refs: Refs, spec: AgentSpec) -> Deployed:
        path = f"/v1/convai/agents/{quote(platform_agent_id, safe='')}"
        current = self._send("GET", path)
        agent = self._send("PATCH", path, json=_with_removals(current, to_platform(spec)))
        version = dict_of(agent).get("version_id")
        return Deployed(platform_agent_id, {}, None if version is None else str(version))

    def read(self, platform_agent_id: str) -> tuple[AgentSpec, Refs]:
        agent = self._send("GET", f"/v1/convai/agents/{quote(platform_agent_id, safe='')}")
        return from_platform(agent), {}

    def delete(self, platform_agent_id: str, refs: Refs) -> None:
        self._send("DELETE", f"/v1/convai/agents/{quote(platform_agent_id, safe='')}", missing_ok=True)


def _with_removals(current: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """`body` plus `null` for the variables and data-collection fields the agent has and the spec dropped."""
    placeholders = body["conversation_config"]["agent"]["dynamic_variables"]["dynamic_variable_placeholders"]
    had = dict_of(
        dict_of(dict_of(dict_of(current.get("conversation_config")).get("agent")).get("dynamic_variables")).get(
            "dynamic_variable_placeholders"
        )
    )
    placeholders.update({k: None for k in had if k not in placeholders})
    collection = body["platform_settings"]["data_collection"]
    had = dict_of(dict_of(current.get("platform_settings")).get("data_collection"))
    collection.update({k: None for k in had if k not in collection})
    return body
