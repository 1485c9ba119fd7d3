"""Retell: an agent is two objects, the Retell LLM (prompt, model, first message, tools, default variables) and
the agent (name, voice, language, post-call analysis, voicemail, duration, webhook) whose `response_engine`
points at it. Field names as retell-sdk 6.x sends them (`client.llm.create`, `client.agent.create`).

Create: `POST /create-retell-llm`, `POST /create-agent`, `POST /publish-agent-version/{id}`; if the agent or the
publish is refused, the agent and the LLM made for it are deleted before the error is raised.
Update: `GET /get-agent/{id}`; if its latest version is published, `POST /create-agent-version/{id}`
(`{base_version}`) opens a draft; then `PATCH /update-retell-llm/{llm_id}`, `PATCH /update-agent/{id}?version=`
and `POST /publish-agent-version/{id}` (`{version}`). A draft left by a failed update is reused by the next.

What Retell holds, and what it does not:
- model and temperature go in `model_config` (`{type: "cascading", primary: {model}, temperature}`; the older
  `model` / `model_temperature` are read too). Retell accepts only its own model names and a temperature from
  0 to 1: anything else is refused (PlatformRejected on `llm.model` / `llm.temperature`).
- `first_message` "" is `begin_message: null` (the LLM opens the call when the agent speaks first).
- tools: end_call → `end_call`, transfer → `transfer_call` (a predefined number, cold transfer), webhook →
  `custom` (url, method, headers, parameters). Other Retell tool types cannot be written as a spec: an import
  leaves them out, and the next deploy replaces the tool list.
- post-call data: `post_call_analysis_data` string/number/boolean items (enum and system presets are left out
  on import). Voicemail: `voicemail_option.action` hangup, or static_text with the message (a "prompt" action
  reads as leave_message with its prompt); `voicemail_message` is kept only with leave_message.
- `max_call_duration_s` ×1000 → `max_call_duration_ms` (Retell: 60 s to 2 h; less is refused).
- everything in the spec has a place: nothing is dropped.
"""

from __future__ import annotations

import logging
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
from voiceconsole.platforms.connector import PlatformError
from voiceconsole.platforms.writes import PlatformRejected
from voiceconsole.schemas.agent_spec import (
    AgentSpec,
    EndCallTool,
    ExtractField,
    LlmSettings,
    TransferTool,
    WebhookTool,
)

log = logging.getLogger(__name__)

DEFAULT_TEMPERATURE = 0.0  # Retell's own default
DEFAULT_MAX_CALL_MS = 3_600_000


def to_platform(spec: AgentSpec) -> dict[str, Any]:
    """`{"llm": create-retell-llm body, "agent": create-agent body}` (the agent's `response_engine` is added
    once the LLM exists)."""
    llm = {
        "general_prompt": spec.system_prompt,
        "begin_message": spec.first_message or None,
        "start_speaker": spec.first_speaker,
        "model_config": {
            "type": "cascading",
            "primary": {"model": spec.llm.model},
            "temperature": spec.llm.temperature,
        },
        "default_dynamic_variables": dict(spec.dynamic_variables),
        "general_tools": [_tool(tool) for tool in spec.tools],
    }
    if spec.voicemail == "leave_message":
        voicemail = {"action": {"type": "static_text", "text": spec.voicemail_message}}
    else:
        voicemail = {"action": {"type": "hangup"}}
    agent = {
        "agent_name": spec.name,
        "voice_id": spec.voice_id,
        "language": spec.language,
        "post_call_analysis_data": [
            {"type": item.type, "name": item.name, "description": item.description} for item in spec.post_call_data
        ],
        "voicemail_option": voicemail,
        "max_call_duration_ms": spec.max_call_duration_s * 1000,
        "webhook_url": spec.webhook_url,
    }
    return {"llm": llm, "agent": agent}


def _tool(tool: EndCallTool | TransferTool | WebhookTool) -> dict[str, Any]:
    if isinstance(tool, EndCallTool):
        return {"type": "end_call", "name": tool.name, "description": tool.description}
    if isinstance(tool, TransferTool):
        return {
            "type": "transfer_call",
            "name": tool.name,
            "description": tool.description,
            "transfer_destination": {"type": "predefined", "number": tool.number},
            "transfer_option": {"type": "cold_transfer"},
        }
    return {
        "type": "custom",
        "name": tool.name,
        "description": tool.description,
        "url": tool.url,
        "method": tool.method,
        "headers": dict(tool.headers),
        "parameters": tool.parameters,
    }


def from_platform(raw: dict[str, Any]) -> AgentSpec:
    """A spec from `{"agent": get-agent object, "llm": get-retell-llm object}`."""
    agent, llm = dict_of(raw.get("agent")), dict_of(raw.get("llm"))
    config = dict_of(llm.get("model_config"))
    model = dict_of(config.get("primary")).get("model") or llm.get("model") or "gpt-4.1"
    temperature = config.get("temperature", llm.get("model_temperature"))
    language = agent.get("language")
    if isinstance(language, list):
        language = language[0] if language else None
    action = dict_of(dict_of(agent.get("voicemail_option")).get("action"))
    leaves_message = action.get("type") in ("static_text", "prompt")
    begin = llm.get("begin_message")
    return AgentSpec(
        name=clip(agent.get("agent_name") or agent.get("agent_id") or "Retell agent", 200),
        language=language or "en-US",
        voice_id=agent.get("voice_id") or "retell-Cimo",
        llm=LlmSettings(model=model, temperature=within(float(temperature or DEFAULT_TEMPERATURE), 0, 2)),
        system_prompt=llm.get("general_prompt") or "",
        first_message=begin or "",
        first_speaker=llm.get("start_speaker") or ("agent" if begin else "user"),
        dynamic_variables={
            identifier(k, "variable"): str(v) for k, v in dict_of(llm.get("default_dynamic_variables")).items()
        },
        tools=[t for t in (_spec_tool(dict_of(item)) for item in list_of(llm.get("general_tools"))) if t],
        post_call_data=[
            ExtractField(
                name=identifier(item.get("name") or "", "field"),
                type=extract_type(item["type"]),
                description=clip(item.get("description")),
            )
            for item in map(dict_of, list_of(agent.get("post_call_analysis_data")))
            if item.get("type") in ("string", "number", "boolean")
        ],
        voicemail="leave_message" if leaves_message else "hang_up",
        voicemail_message=clip(action.get("text"), 2000) if leaves_message else "",
        max_call_duration_s=int(within((agent.get("max_call_duration_ms") or DEFAULT_MAX_CALL_MS) // 1000, 30, 7200)),
        webhook_url=agent.get("webhook_url") or None,
    )


def _spec_tool(item: dict[str, Any]) -> EndCallTool | TransferTool | WebhookTool | None:
    kind, name = item.get("type"), identifier(item.get("name") or "", "tool")
    description = clip(item.get("description"))
    if kind == "end_call":
        return EndCallTool(name=name, description=description)
    if kind == "transfer_call":
        destination = dict_of(item.get("transfer_destination"))
        if destination.get("type") != "predefined" or not destination.get("number"):
            return None  # a number the LLM infers cannot be written as a spec
        return TransferTool(name=name, description=description, number=str(destination["number"]))
    if kind == "custom" and item.get("url"):
        return WebhookTool(
            name=name,
            description=description,
            url=item["url"],
            method=http_method(item.get("method")),
            headers={str(k): str(v) for k, v in dict_of(item.get("headers")).items()},
            parameters=dict_of(item.get("parameters")) or {"type": "object", "properties": {}},
        )
    return None


class RetellAgentWriter(AgentWriter):
    platform = "retell"
    error_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("max_call_duration_ms", "max_call_duration_s"),
        ("post_call_analysis_data", "post_call_data"),
        ("default_dynamic_variables", "dynamic_variables"),
        ("model_temperature", "llm.temperature"),
        ("temperature", "llm.temperature"),
        ("model_config", "llm.model"),
        ("model", "llm.model"),
        ("general_prompt", "system_prompt"),
        ("begin_message", "first_message"),
        ("start_speaker", "first_speaker"),
        ("general_tools", "tools"),
        ("voicemail_option", "voicemail"),
        ("webhook_url", "webhook_url"),
        ("agent_name", "name"),
        ("voice_id", "voice_id"),
        ("language", "language"),
    )

    to_platform = staticmethod(to_platform)
    from_platform = staticmethod(from_platform)

    def create(self, spec: AgentSpec) -> Deployed:
        body = to_platform(spec)
        llm = self._send("POST", "/create-retell-llm", json=body["llm"], once=True)
        llm_id = str(llm["llm_id"])
        agent_id: str | None = None
        try:
            engine = {"type": "retell-llm", "llm_id": llm_id}
            agent = self._send("POST", "/create-agent", json={**body["agent"], "response_engine": engine}, once=True)
            agent_id = str(agent["agent_id"])
            version = int(agent.get("version") or 0)
            self._send("POST", f"/publish-agent-version/{_q(agent_id)}", json={"version": version})
        except PlatformError:
            self._clean_up(agent_id, llm_id)
            raise
        return Deployed(agent_id, {"llm_id": llm_id}, str(version))

    def _clean_up(self, agent_id: str | None, llm_id: str) -> None:
        """Undo a half-made create, best effort: the caller raises the original error either way."""
        try:
            if agent_id is not None:
                self._send("DELETE", f"/delete-agent/{_q(agent_id)}", missing_ok=True)
            self._send("DELETE", f"/delete-retell-llm/{_q(llm_id)}", missing_ok=True)
        except PlatformError as exc:
            log.warning("Retell: could not remove the half-made agent %s / LLM %s: %s", agent_id, llm_id, exc.message)

    def update(self, platform_agent_id: str, refs: Refs, spec: AgentSpec) -> Deployed:
        path_id = _q(platform_agent_id)
        agent = self._send("GET", f"/get-agent/{path_id}")
        if agent.get("is_published"):  # edits go to a draft, published below
            agent = self._send("POST", f"/create-agent-version/{path_id}", json={"base_version": agent["version"]})
        version = int(agent.get("version") or 0)
        engine = dict_of(agent.get("response_engine"))
        llm_id = str(engine.get("llm_id") or refs.get("llm_id") or "")
        if engine.get("type", "retell-llm") != "retell-llm" or not llm_id:
            raise PlatformRejected(None, "This Retell agent does not run on a Retell LLM; the builder cannot edit it.")
        body = to_platform(spec)
        llm_params = {"version": int(engine["version"])} if engine.get("version") is not None else None
        self._send("PATCH", f"/update-retell-llm/{_q(llm_id)}", json=body["llm"], params=llm_params)
        self._send("PATCH", f"/update-agent/{path_id}", json=body["agent"], params={"version": version})
        self._send("POST", f"/publish-agent-version/{path_id}", json={"version": version})
        return Deployed(platform_agent_id, {"llm_id": llm_id}, str(version))

    def read(self, platform_agent_id: str) -> tuple[AgentSpec, Refs]:
        agent = self._send("GET", f"/get-agent/{_q(platform_agent_id)}")
        engine = dict_of(agent.get("response_engine"))
        if engine.get("type") != "retell-llm" or not engine.get("llm_id"):
            raise PlatformRejected(None, "This Retell agent does not run on a Retell LLM; the builder cannot read it.")
        llm_id = str(engine["llm_id"])
        params = {"version": int(engine["version"])} if engine.get("version") is not None else None
        llm = self._send("GET", f"/get-retell-llm/{_q(llm_id)}", params=params)
        return from_platform({"agent": agent, "llm": llm}), {"llm_id": llm_id}

    def delete(self, platform_agent_id: str, refs: Refs) -> None:
        self._send("DELETE", f"/delete-agent/{_q(platform_agent_id)}", missing_ok=True)
        if refs.get("llm_id"):
            self._send("DELETE", f"/delete-retell-llm/{_q(refs['llm_id'])}", missing_ok=True)


def _q(value: str) -> str:
    return quote(value, safe="")
