"""Retell's agent-writing endpoints (`/retell`), as retell-sdk 6.x calls them: `client.llm.create/update/delete`
and `client.agent.create/update/create_version/publish/delete`.

- `POST /create-retell-llm` → the LLM (`llm_id`, `version` 0, `is_published` false); `PATCH
  /update-retell-llm/{llm_id}[?version=]` (default: the latest version) changes the fields sent;
  `DELETE /delete-retell-llm/{llm_id}[?force_delete=true]` → 204 (400 while an agent still uses it, unless
  forced). `GET /get-retell-llm/{llm_id}[?version=]` is in retell.py.
- `POST /create-agent` (`response_engine` {type "retell-llm", llm_id} and `voice_id` required) → the agent,
  `version` 0, a draft; `PATCH /update-agent/{agent_id}[?version=]` edits the latest (or that) version;
  `POST /create-agent-version/{agent_id}` `{base_version}` → a new draft copied from it (and a new version of
  its LLM, which the draft's `response_engine.version` points at); `POST /publish-agent-version/{agent_id}`
  `{version}` → 204, that version and its LLM version are published; `DELETE /delete-agent/{agent_id}` → 204.
  `GET /get-agent/{agent_id}[?version=]` (retell.py) serves every version kept.
- A published version cannot be changed: update-agent and update-retell-llm answer 400 (make a draft with
  create-agent-version first). The simulator's choice; Retell documents only "update the latest draft".
- Checks that answer 400 with Retell's error body: `model_config.temperature` / `model_temperature` outside
  0–1, `start_speaker` not user/agent, `max_call_duration_ms` outside 60,000–7,200,000, tools without a name or
  type (a custom tool without `url`), a missing `voice_id` or `response_engine`, an unknown `llm_id`.
- What was sent is what is read back, plus the fields the server sets (ids, version, is_published,
  last_modification_timestamp, `response_engine.version`, and `model` mirroring `model_config.primary.model`).

Calls: the agent's calls come from its published version (the latest while none is), with the prompt rule
of agents_store.py; `agent_version` on each call is that version.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from starlette.responses import Response

from voiceconsole.platforms.simulator.agents_store import AgentsStore, prompt_quality
from voiceconsole.platforms.simulator.server.builder_common import drop_private, write_route
from voiceconsole.platforms.simulator.server.params import _int
from voiceconsole.platforms.simulator.server.pipeline import ApiError, _Incoming, _PlatformApi
from voiceconsole.platforms.simulator.state import SimulatorState

_SERVER_FIELDS = ("llm_id", "agent_id", "version", "is_published", "last_modification_timestamp")


def _check_llm(body: dict[str, Any]) -> None:
    config = body.get("model_config")
    for name, value in (
        ("model_config.temperature", (config or {}).get("temperature") if isinstance(config, dict) else None),
        ("model_temperature", body.get("model_temperature")),
    ):
        if value is not None and not (isinstance(value, (int, float)) and 0 <= value <= 1):
            raise ApiError(400, f"{name} must be a number between 0 and 1")
    if body.get("start_speaker") is not None and body["start_speaker"] not in ("user", "agent"):
        raise ApiError(400, "start_speaker must be either 'user' or 'agent'")
    for i, tool in enumerate(body.get("general_tools") or []):
        if not isinstance(tool, dict) or not tool.get("name") or not tool.get("type"):
            raise ApiError(400, f"general_tools[{i}] needs a name and a type")
        if tool["type"] == "custom" and not tool.get("url"):
            raise ApiError(400, f"general_tools[{i}].url is required for a custom tool")
        if tool["type"] == "transfer_call" and not isinstance(tool.get("transfer_destination"), dict):
            raise ApiError(400, f"general_tools[{i}].transfer_destination is required")


def _check_agent(body: dict[str, Any]) -> None:
    duration = body.get("max_call_duration_ms")
    if duration is not None and not (isinstance(duration, int) and 60_000 <= duration <= 7_200_000):
        raise ApiError(400, "max_call_duration_ms must be between 60000 and 7200000")
    if "voice_id" in body and not body["voice_id"]:
        raise ApiError(400, "voice_id must not be empty")


def _mirror_model(llm: dict[str, Any], sent: dict[str, Any]) -> None:
    """Retell keeps `model` and `model_config.primary.model` in step."""
    config = llm.get("model_config")
    primary = (config.get("primary") or {}) if isinstance(config, dict) else {}
    if "model_config" in sent and primary.get("model"):
        llm["model"] = primary["model"]
    elif "model" in sent and primary:
        llm["model_config"] = {**llm["model_config"], "primary": {**primary, "model": sent["model"]}}


def _builder_retell_routes(api: _PlatformApi, state: SimulatorState) -> None:
    def store() -> AgentsStore:  # reset() replaces it: never keep it
        return state.builder

    def agents() -> dict[str, dict[str, Any]]:
        return state.data("retell").agents

    def now() -> int:
        return state.clock_ms()

    def adopt(agent_id: str) -> dict[int, dict[str, Any]]:
        """The agent's versions; a generated agent's one version (and its LLM) are copied in first."""
        versions = store().retell_agents.get(agent_id)
        if versions is not None:
            return versions
        agent = agents().get(agent_id)
        if agent is None:
            raise ApiError(404, "Agent not found")
        snapshot = drop_private(copy.deepcopy(agent))
        llm = copy.deepcopy(agent.get("_llm") or {})
        if llm.get("llm_id") and llm["llm_id"] not in store().retell_llms:
            store().retell_llms[llm["llm_id"]] = {int(llm.get("version") or 0): llm}
        versions = store().retell_agents[agent_id] = {int(snapshot.get("version") or 0): snapshot}
        return versions

    def llm_versions(llm_id: str) -> dict[int, dict[str, Any]]:
        versions = store().retell_llms.get(llm_id)
        if versions is None:
            owner = next((a for a in agents().values() if (a.get("_llm") or {}).get("llm_id") == llm_id), None)
            if owner is None:
                raise ApiError(404, "Retell LLM not found")
            adopt(owner["agent_id"])
            versions = store().retell_llms[llm_id]
        return versions

    def refresh(agent_id: str) -> None:
        """Put the agent's latest version where lists, get-agent and calls find it; calls use the published
        version (the latest while none is) and its LLM."""
        versions = store().retell_agents[agent_id]
        latest = versions[max(versions)]
        published = [v for v in versions.values() if v.get("is_published")]
        live = max(published, key=lambda v: v["version"]) if published else latest
        engine = live.get("response_engine") or {}
        llm = store().retell_llm(engine.get("llm_id") or "", engine.get("version")) or {}
        prompt = llm.get("general_prompt") or ""
        previous = agents().get(agent_id) or {}
        agents()[agent_id] = {
            **copy.deepcopy(latest),
            "_client": previous.get("_client"),
            "_llm": llm,
            "_prompt": prompt,
            "_live": {"version": live["version"]},
            "_quality": prompt_quality(prompt),
        }

    def using(llm_id: str) -> list[str]:
        return [
            agent_id
            for agent_id, agent in agents().items()
            if (agent.get("response_engine") or {}).get("llm_id") == llm_id
        ]

    @write_route(api, state, "POST", "/create-retell-llm")
    def create_llm(req: _Incoming) -> Any:
        body = req.body()
        _check_llm(body)
        llm_id = f"llm_{uuid.uuid4().hex[:24]}"
        llm = {**body, "llm_id": llm_id, "version": 0, "is_published": False, "last_modification_timestamp": now()}
        _mirror_model(llm, body)
        store().retell_llms[llm_id] = {0: llm}
        return llm

    @write_route(api, state, "PATCH", "/update-retell-llm/{llm_id}")
    def update_llm(req: _Incoming) -> Any:
        llm_id = req.params["llm_id"]
        versions = llm_versions(llm_id)
        version = _int(req.query.get("version"), "version", default=max(versions), lo=0)
        current = versions.get(version)
        if current is None:
            raise ApiError(404, "Retell LLM version not found")
        if current.get("is_published"):
            raise ApiError(400, f"Version {version} of this Retell LLM is published; create a new agent version first")
        body = {k: v for k, v in req.body().items() if k not in _SERVER_FIELDS}
        _check_llm(body)
        updated = {**current, **body, "last_modification_timestamp": now()}
        _mirror_model(updated, body)
        versions[version] = updated
        for agent_id in using(llm_id):
            if agent_id in store().retell_agents:
                refresh(agent_id)
        return updated

    @write_route(api, state, "DELETE", "/delete-retell-llm/{llm_id}")
    def delete_llm(req: _Incoming) -> Any:
        llm_id = req.params["llm_id"]
        llm_versions(llm_id)
        users = using(llm_id)
        if users and req.query.get("force_delete") != "true":
            raise ApiError(400, f"This Retell LLM is used by agent {users[0]}; delete the agent first")
        del store().retell_llms[llm_id]
        return Response(status_code=204)

    @write_route(api, state, "POST", "/create-agent")
    def create_agent(req: _Incoming) -> Any:
        body = req.body()
        engine = body.get("response_engine")
        if not isinstance(engine, dict) or not engine.get("type"):
            raise ApiError(400, "response_engine is required")
        if engine["type"] != "retell-llm":
            raise ApiError(400, "The simulator creates agents on a Retell LLM only (response_engine.type retell-llm)")
        if not body.get("voice_id"):
            raise ApiError(400, "voice_id is required")
        _check_agent(body)
        llm_versions_ = store().retell_llms.get(str(engine.get("llm_id")))
        if not llm_versions_:
            raise ApiError(400, f"response_engine.llm_id {engine.get('llm_id')!r} does not exist")
        llm_version = engine.get("version")
        llm_version = max(llm_versions_) if llm_version is None else int(llm_version)
        agent_id = uuid.uuid4().hex
        agent = {
            **body,
            "agent_id": agent_id,
            "version": 0,
            "is_published": False,
            "response_engine": {**engine, "version": llm_version},
            "last_modification_timestamp": now(),
        }
        store().retell_agents[agent_id] = {0: agent}
        refresh(agent_id)
        return agent

    @write_route(api, state, "PATCH", "/update-agent/{agent_id}")
    def update_agent(req: _Incoming) -> Any:
        agent_id = req.params["agent_id"]
        versions = adopt(agent_id)
        version = _int(req.query.get("version"), "version", default=max(versions), lo=0)
        current = versions.get(version)
        if current is None:
            raise ApiError(404, "Agent version not found")
        if current.get("is_published"):
            raise ApiError(400, f"Version {version} of this agent is published; create a new version to edit it")
        body = {k: v for k, v in req.body().items() if k not in _SERVER_FIELDS}
        _check_agent(body)
        versions[version] = {**current, **body, "last_modification_timestamp": now()}
        refresh(agent_id)
        return versions[version]

    @write_route(api, state, "POST", "/create-agent-version/{agent_id}")
    def create_version(req: _Incoming) -> Any:
        agent_id = req.params["agent_id"]
        versions = adopt(agent_id)
        base_version = _int(req.body().get("base_version"), "base_version", default=-1, lo=0)
        base = versions.get(base_version)
        if base is None:
            raise ApiError(404 if base_version >= 0 else 400, "base_version must name an existing version")
        engine = dict(base.get("response_engine") or {})
        if engine.get("type") == "retell-llm" and engine.get("llm_id") in store().retell_llms:
            llms = store().retell_llms[engine["llm_id"]]
            source = llms.get(int(engine["version"])) if engine.get("version") is not None else None
            source = source or llms[max(llms)]
            new_llm_version = max(llms) + 1
            llms[new_llm_version] = {
                **copy.deepcopy(source),
                "version": new_llm_version,
                "is_published": False,
                "last_modification_timestamp": now(),
            }
            engine["version"] = new_llm_version
        version = max(versions) + 1
        versions[version] = {
            **copy.deepcopy(base),
            "version": version,
            "is_published": False,
            "response_engine": engine,
            "last_modification_timestamp": now(),
        }
        refresh(agent_id)
        return versions[version]

    @write_route(api, state, "POST", "/publish-agent-version/{agent_id}")
    def publish(req: _Incoming) -> Any:
        agent_id = req.params["agent_id"]
        versions = adopt(agent_id)
        version = _int(req.body().get("version"), "version", default=-1, lo=0)
        current = versions.get(version)
        if current is None:
            raise ApiError(404 if version >= 0 else 400, "version must name an existing version")
        body = req.body()
        titles = {k: body[k] for k in ("version_title", "version_description") if body.get(k) is not None}
        versions[version] = {**current, **titles, "is_published": True}
        engine = current.get("response_engine") or {}
        llm = store().retell_llm(engine.get("llm_id") or "", engine.get("version"))
        if llm is not None:
            store().retell_llms[llm["llm_id"]][int(llm.get("version") or 0)] = {**llm, "is_published": True}
        refresh(agent_id)
        return Response(status_code=204)

    @write_route(api, state, "DELETE", "/delete-agent/{agent_id}")
    def delete_agent(req: _Incoming) -> Any:
        agent_id = req.params["agent_id"]
        if agent_id not in agents():
            raise ApiError(404, "Agent not found")
        state.remove_agent("retell", agent_id)
        store().retell_agents.pop(agent_id, None)
        return Response(status_code=204)
