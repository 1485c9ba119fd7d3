"""The ElevenLabs API routes (`/elevenlabs`, docs/platform-apis.md section 3): agents and conversations
with cursor paging and filters, full conversations and their audio; bad parameters answer 422.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from starlette.responses import Response

from voiceconsole.platforms.simulator.generator import call_list_item
from voiceconsole.platforms.simulator.server.params import (
    Bounds,
    Predicate,
    _bounds,
    _choice,
    _decode_cursor,
    _encode_cursor,
    _field_is,
    _filtered,
    _int,
    _narrow,
    _page,
    _page_sorted,
)
from voiceconsole.platforms.simulator.server.pipeline import ApiError, _Incoming, _PlatformApi
from voiceconsole.platforms.simulator.state import SimulatorState, call_time_ms, public

_EL_SUCCESS = ("success", "failure", "unknown")
# Not a real recording: an MPEG audio frame header plus silence, enough for "has bytes, is audio".
_EL_AUDIO = b"\xff\xfb\x90\x64" + b"\x00" * 413


def _el_int(req: _Incoming, name: str, *, default: Any, lo: int, hi: int | None = None) -> Any:
    value = req.query.get(name)
    if value is None and default is None:
        return None
    return _int(value, name, default=default, lo=lo, hi=hi, status=422)


def _el_agent_summary(agent: dict[str, Any], last_call_ms: int | None) -> dict[str, Any]:
    meta = agent.get("metadata") or {}
    return {
        "agent_id": agent["agent_id"],
        "name": agent.get("name"),
        "voice_id": ((agent.get("conversation_config") or {}).get("tts") or {}).get("voice_id"),
        "tags": agent.get("tags") or [],
        "created_at_unix_secs": meta.get("created_at_unix_secs"),
        "updated_at_unix_secs": meta.get("updated_at_unix_secs"),
        "last_call_time_unix_secs": last_call_ms // 1000 if last_call_ms else None,
        "archived": False,
        "access_info": {
            "is_creator": True,
            "creator_name": "Simulator",
            "creator_email": "sim@example.com",
            "role": "admin",
        },
    }


def _el_conversation_filters(req: _Incoming) -> tuple[Bounds, list[Predicate]]:
    window: Bounds = (None, None)
    after = _el_int(req, "call_start_after_unix", default=None, lo=0)
    before = _el_int(req, "call_start_before_unix", default=None, lo=0)
    if after is not None:
        window = _narrow(window, _bounds("gt", Fraction(after * 1000)))
    if before is not None:
        window = _narrow(window, _bounds("lt", Fraction(before * 1000)))
    predicates: list[Predicate] = []
    if req.query.get("agent_id"):
        predicates.append(_field_is("agent_id", req.query["agent_id"]))
    if req.query.get("call_successful"):
        wanted = _choice(req.query["call_successful"], "call_successful", _EL_SUCCESS, status=422)
        predicates.append(lambda c: (c.get("analysis") or {}).get("call_successful", "unknown") == wanted)
    low = _el_int(req, "call_duration_min_secs", default=None, lo=0)
    high = _el_int(req, "call_duration_max_secs", default=None, lo=0)
    if low is not None or high is not None:

        def duration_ok(c: dict[str, Any]) -> bool:
            seconds = (c.get("metadata") or {}).get("call_duration_secs") or 0
            return (low is None or seconds >= low) and (high is None or seconds <= high)

        predicates.append(duration_ok)
    return window, predicates


def _elevenlabs_routes(api: _PlatformApi, state: SimulatorState) -> None:
    def data():
        return state.data("elevenlabs")

    @api.route("GET", "/v1/convai/agents")
    def list_agents(req: _Incoming) -> Any:
        page_size = _el_int(req, "page_size", default=30, lo=1, hi=100)
        sort_by = _choice(req.query.get("sort_by"), "sort_by", ("created_at", "name"), status=422)
        descending = _choice(req.query.get("sort_direction"), "sort_direction", ("desc", "asc"), status=422) == "desc"
        after = _decode_cursor(req.query.get("cursor"), "cursor", status=422, numeric=sort_by == "created_at")
        search = (req.query.get("search") or "").lower()

        def sort_value(agent: dict[str, Any]) -> Any:
            return (agent.get("name") or "") if sort_by == "name" else agent["metadata"]["created_at_unix_secs"]

        archived_only = (req.query.get("archived") or "").lower() == "true"  # none of ours are archived
        found = data()
        entries = []
        for agent in found.agents.values():
            if archived_only or search not in (agent.get("name") or "").lower():
                continue
            entries.append((sort_value(agent), agent["agent_id"], agent))
        page, has_more = _page_sorted(entries, after, page_size, descending, status=422)
        last = page[-1] if page else None
        cursor = _encode_cursor([sort_value(last), last["agent_id"]]) if has_more and last else None
        return {
            "agents": [_el_agent_summary(a, found.last_call_ms.get(a["agent_id"])) for a in page],
            "next_cursor": cursor,
            "has_more": has_more,
        }

    @api.route("GET", "/v1/convai/agents/{agent_id}")
    def get_agent(req: _Incoming) -> Any:
        agent = data().agents.get(req.params["agent_id"])
        if agent is None:
            raise ApiError(404, f"Agent with id {req.params['agent_id']} not found", code="agent_not_found")
        return public(agent)

    @api.route("GET", "/v1/convai/conversations")
    def list_conversations(req: _Incoming) -> Any:
        page_size = _el_int(req, "page_size", default=30, lo=1, hi=100)
        descending = _choice(req.query.get("sort_direction"), "sort_direction", ("desc", "asc"), status=422) == "desc"
        with_summary = (
            _choice(req.query.get("summary_mode"), "summary_mode", ("exclude", "include"), status=422) == "include"
        )
        after = _decode_cursor(req.query.get("cursor"), "cursor", status=422)
        window, predicates = _el_conversation_filters(req)
        store = data().calls
        start, end = store.window(*window)
        walk = store.walk(start, end, descending=descending, after=tuple(after) if after else None)
        page, has_more = _page(_filtered(walk, predicates), page_size)
        summaries = [call_list_item("elevenlabs", c) for c in page]
        if not with_summary:
            for summary in summaries:
                summary.pop("transcript_summary", None)
        last = page[-1] if page else None
        return {
            "conversations": summaries,
            "next_cursor": _encode_cursor([call_time_ms("elevenlabs", last), last["conversation_id"]])
            if has_more and last
            else None,
            "has_more": has_more,
        }

    @api.route("GET", "/v1/convai/conversations/{conversation_id}")
    def get_conversation(req: _Incoming) -> Any:
        return _el_conversation(req)

    @api.route("GET", "/v1/convai/conversations/{conversation_id}/audio")
    def get_audio(req: _Incoming) -> Any:
        if not _el_conversation(req).get("has_audio"):
            raise ApiError(404, "This conversation has no audio", code="audio_not_found")
        return Response(_EL_AUDIO, media_type="audio/mpeg")

    def _el_conversation(req: _Incoming) -> dict[str, Any]:
        conversation = data().calls.get(req.params["conversation_id"])
        if conversation is None:
            raise ApiError(404, "Conversation not found", code="conversation_not_found")
        return conversation
