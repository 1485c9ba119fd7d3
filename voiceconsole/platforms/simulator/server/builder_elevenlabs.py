"""ElevenLabs' agent-writing endpoints (`/elevenlabs`), as the elevenlabs SDK calls them
(`client.conversational_ai.agents.create / update / delete`; `get` is in elevenlabs.py):

- `POST /v1/convai/agents/create` (`conversation_config` required, else 422) → `{"agent_id"}`; the agent keeps
  what was sent (`name`, `conversation_config`, `platform_settings`, `tags`) plus `metadata`
  (created/updated unix seconds), a `version_id` and empty `phone_numbers`.
- `PATCH /v1/convai/agents/{agent_id}` → the agent. `conversation_config` and `platform_settings` are merged
  into what the agent has as a JSON merge patch (RFC 7396: objects merge key by key, `null` removes a key,
  anything else replaces); `name` and `tags` replace. Every PATCH makes a new `version_id`.
- `DELETE /v1/convai/agents/{agent_id}` → 200 `{}` (its conversations stay).
A `conversation_config.agent.prompt.temperature` outside 0–2 answers 422.

Calls: an agent written here makes calls by the prompt rule of agents_store.py (its prompt).
"""

from __future__ import annotations

import secrets
from typing import Any

from voiceconsole.platforms.simulator.agents_store import prompt_quality
from voiceconsole.platforms.simulator.server.builder_common import drop_private, write_route
from voiceconsole.platforms.simulator.server.pipeline import ApiError, _Incoming, _PlatformApi
from voiceconsole.platforms.simulator.state import SimulatorState

_B32 = "0123456789abcdefghjkmnpqrstvwxyz"


def _el_id(prefix: str) -> str:
    return f"{prefix}_{secrets.randbelow(10000):04d}k" + "".join(secrets.choice(_B32) for _ in range(23))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge key by key, `null` removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def _check(body: dict[str, Any]) -> None:
    prompt = (((body.get("conversation_config") or {}).get("agent") or {}).get("prompt")) or {}
    temperature = prompt.get("temperature") if isinstance(prompt, dict) else None
    if temperature is not None and not (isinstance(temperature, (int, float)) and 0 <= temperature <= 2):
        raise ApiError(
            422, "Input should be less than or equal to 2", field="conversation_config.agent.prompt.temperature"
        )


def _prompt(agent: dict[str, Any]) -> str:
    return (((agent.get("conversation_config") or {}).get("agent") or {}).get("prompt") or {}).get("prompt") or ""


def _builder_elevenlabs_routes(api: _PlatformApi, state: SimulatorState) -> None:
    def agents() -> dict[str, dict[str, Any]]:
        return state.data("elevenlabs").agents

    def store(agent: dict[str, Any]) -> dict[str, Any]:
        agents()[agent["agent_id"]] = {**agent, "_quality": prompt_quality(_prompt(agent))}
        return drop_private(agent)

    @write_route(api, state, "POST", "/v1/convai/agents/create")
    def create(req: _Incoming) -> Any:
        body = req.body()
        if not isinstance(body.get("conversation_config"), dict):
            raise ApiError(422, "Field required", field="conversation_config", code="missing")
        _check(body)
        now_s = state.clock_ms() // 1000
        agent_id = _el_id("agent")
        store(
            {
                "agent_id": agent_id,
                "name": body.get("name") or "",
                "conversation_config": body["conversation_config"],
                "platform_settings": body.get("platform_settings") or {},
                "tags": body.get("tags") or [],
                "metadata": {"created_at_unix_secs": now_s, "updated_at_unix_secs": now_s},
                "version_id": _el_id("agtvrsn"),
                "phone_numbers": [],
            }
        )
        return {"agent_id": agent_id}

    @write_route(api, state, "PATCH", "/v1/convai/agents/{agent_id}")
    def update(req: _Incoming) -> Any:
        current = agents().get(req.params["agent_id"])
        if current is None:
            raise ApiError(404, f"Agent with id {req.params['agent_id']} not found", code="agent_not_found")
        body = req.body()
        _check(body)
        updated = dict(current)
        for key in ("conversation_config", "platform_settings"):
            if key in body:
                updated[key] = merge_patch(current.get(key) or {}, body[key] or {})
        for key in ("name", "tags"):
            if key in body:
                updated[key] = body[key]
        updated["metadata"] = {**(current.get("metadata") or {}), "updated_at_unix_secs": state.clock_ms() // 1000}
        updated["version_id"] = _el_id("agtvrsn")
        return store(updated)

    @write_route(api, state, "DELETE", "/v1/convai/agents/{agent_id}")
    def delete(req: _Incoming) -> Any:
        agent_id = req.params["agent_id"]
        if agent_id not in agents():
            raise ApiError(404, f"Agent with id {agent_id} not found", code="agent_not_found")
        state.remove_agent("elevenlabs", agent_id)
        return {}
