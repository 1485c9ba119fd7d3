"""Vapi's assistant-writing endpoints (`/vapi`), as vapi-server-sdk calls them (`client.assistants.create /
update / delete`; `get` is in vapi.py):

- `POST /assistant` → 201 and the Assistant (`id`, `orgId`, `createdAt`, `updatedAt` added to what was sent);
- `PATCH /assistant/{id}` → the Assistant, each top-level field sent replacing the one it had (generated
  assistants too); `updatedAt` moves on;
- `DELETE /assistant/{id}` → the deleted Assistant (its calls stay).
Checks that answer 400 with Vapi's validation body (`{"message": [...], "error": "Bad Request"}`): `name` over
40 characters, `maxDurationSeconds` outside 10–43200, a `model` without `provider` and `model`, a
`model.temperature` outside 0–2, a `voice` without `provider` and `voiceId`.

Calls: an assistant written here makes calls by the prompt rule of agents_store.py (its system message).
"""

from __future__ import annotations

import uuid
from typing import Any

from voiceconsole.platforms.simulator.agents_store import prompt_quality
from voiceconsole.platforms.simulator.server.builder_common import drop_private, write_route
from voiceconsole.platforms.simulator.server.pipeline import ApiError, _Incoming, _json, _PlatformApi
from voiceconsole.platforms.simulator.state import SimulatorState, ms_to_iso

_SERVER_FIELDS = ("id", "orgId", "createdAt", "updatedAt")


def _check(body: dict[str, Any]) -> None:
    problems = []
    name = body.get("name")
    if isinstance(name, str) and len(name) > 40:
        problems.append("name must be shorter than or equal to 40 characters")
    duration = body.get("maxDurationSeconds")
    if duration is not None and not (isinstance(duration, (int, float)) and 10 <= duration <= 43200):
        problems.append("maxDurationSeconds must not be less than 10 or greater than 43200")
    model = body.get("model")
    if model is not None:
        if not isinstance(model, dict) or not model.get("provider") or not model.get("model"):
            problems.append("model.provider and model.model are required")
        else:
            temperature = model.get("temperature")
            if temperature is not None and not (isinstance(temperature, (int, float)) and 0 <= temperature <= 2):
                problems.append("model.temperature must not be less than 0 or greater than 2")
    voice = body.get("voice")
    if voice is not None and (not isinstance(voice, dict) or not voice.get("provider") or not voice.get("voiceId")):
        problems.append("voice.provider and voice.voiceId are required")
    if problems:
        raise ApiError(400, "; ".join(problems))


def _system_prompt(assistant: dict[str, Any]) -> str:
    messages = (assistant.get("model") or {}).get("messages") or []
    return next((m.get("content") or "" for m in messages if isinstance(m, dict) and m.get("role") == "system"), "")


def _builder_vapi_routes(api: _PlatformApi, state: SimulatorState) -> None:
    def agents() -> dict[str, dict[str, Any]]:
        return state.data("vapi").agents

    def org_id() -> str:
        return next((a["orgId"] for a in agents().values() if a.get("orgId")), "00000000-0000-4000-8000-000000000000")

    def store(assistant: dict[str, Any]) -> dict[str, Any]:
        agents()[assistant["id"]] = {**assistant, "_quality": prompt_quality(_system_prompt(assistant))}
        return drop_private(assistant)

    @write_route(api, state, "POST", "/assistant")
    def create(req: _Incoming) -> Any:
        body = {k: v for k, v in req.body().items() if k not in _SERVER_FIELDS}
        _check(body)
        at = ms_to_iso(state.clock_ms())
        assistant = {**body, "id": str(uuid.uuid4()), "orgId": org_id(), "createdAt": at, "updatedAt": at}
        return _json(store(assistant), 201)

    @write_route(api, state, "PATCH", "/assistant/{assistant_id}")
    def update(req: _Incoming) -> Any:
        current = agents().get(req.params["assistant_id"])
        if current is None:
            raise ApiError(404, "Couldn't Get Assistant. Assistant Not Found")
        body = {k: v for k, v in req.body().items() if k not in _SERVER_FIELDS}
        _check(body)
        return store({**current, **body, "updatedAt": ms_to_iso(state.clock_ms())})

    @write_route(api, state, "DELETE", "/assistant/{assistant_id}")
    def delete(req: _Incoming) -> Any:
        assistant_id = req.params["assistant_id"]
        if assistant_id not in agents():
            raise ApiError(404, "Couldn't Delete Assistant. Assistant Not Found")
        return drop_private(state.remove_agent("vapi", assistant_id))
