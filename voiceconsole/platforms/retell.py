"""Retell AI: mapping of native agent and call objects onto the common records, and the connector.

Shapes: docs/platform-apis.md §1 (get-call, v3 list-calls items, get-agent, v2 list-agents).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from voiceconsole.platforms.base import (
    AgentRecord,
    CallRecord,
    CallStatus,
    Role,
    Turn,
    Word,
    require_field,
    to_usd,
    transcript_text,
)
from voiceconsole.platforms.connector import (
    CallPage,
    Connector,
    OpenCalls,
    PlatformError,
    WebhookVerificationError,
    check_timestamp,
    delivery_identity,
    equal,
    header,
    hmac_sha256_hex,
)

# --------------------------------------------------------------------------------------------------
# Mapping
# --------------------------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# A call that never connected is over, just empty, so not_connected is "ended".
_STATUSES: dict[str, CallStatus] = {
    "registered": "in_progress",
    "ongoing": "in_progress",
    "not_connected": "ended",
    "ended": "ended",
    "error": "error",
}
_ROLES: dict[str, Role] = {
    "agent": "agent",
    "user": "user",
    "dtmf": "user",  # the caller pressing keys
    # transfer_target is the human the call was handed to: neither the AI agent nor the caller.
    "transfer_target": "system",
    "tool_call_invocation": "tool",
    "tool_call_result": "tool",
}
_SENTIMENTS = {"Positive", "Neutral", "Negative"}  # "Unknown" means no sentiment


def map_agent(raw: dict[str, Any], llm: dict[str, Any] | None = None) -> AgentRecord:
    """Map a get-agent object (or a v2 list-agents summary).

    The prompt and model live on the Retell LLM (`GET /get-retell-llm/{llm_id}`); pass it as `llm`.
    """
    agent_id = _require(raw, "agent_id", "agent")
    llm = llm or {}
    version = raw.get("version")
    return AgentRecord(
        platform="retell",
        platform_agent_id=agent_id,
        name=raw.get("agent_name") or agent_id,
        voice=raw.get("voice_id"),
        model=llm.get("model"),
        prompt=llm.get("general_prompt"),
        platform_version=None if version is None else str(version),
        updated_at=_from_ms(raw.get("last_modification_timestamp") or raw.get("user_modified_timestamp")),
        raw=raw,
    )


def map_call(raw: dict[str, Any]) -> CallRecord:
    """Map a get-call object, a webhook `call`, or a v3 list-calls item (which has no transcript)."""
    call_id = _require(raw, "call_id", "call")
    started_at = _from_ms(raw.get("start_timestamp"))
    ended_at = _from_ms(raw.get("end_timestamp"))
    duration_ms = raw.get("duration_ms")
    if duration_ms is None and started_at and ended_at:
        duration_ms = (ended_at - started_at) // timedelta(milliseconds=1)
    analysis = raw.get("call_analysis") or {}
    turns = _turns(raw)
    direction = raw.get("direction")
    sentiment = analysis.get("user_sentiment")
    successful = analysis.get("call_successful")
    raw_status = raw.get("call_status")
    fallback: CallStatus = "ended" if ended_at else "in_progress"
    return CallRecord(
        platform="retell",
        platform_call_id=call_id,
        platform_agent_id=raw.get("agent_id"),
        status=fallback if raw_status is None else _STATUSES.get(raw_status, fallback),
        started_at=started_at,
        agent_name=raw.get("agent_name"),
        direction=direction if direction in ("inbound", "outbound") else None,
        from_number=raw.get("from_number"),
        to_number=raw.get("to_number"),
        ended_at=ended_at,
        duration_ms=duration_ms,
        cost_usd=_cents_to_usd((raw.get("call_cost") or {}).get("combined_cost")),
        recording_url=raw.get("recording_url"),
        transcript=(transcript_text(turns) if turns else raw.get("transcript")) or None,
        turns=turns,
        summary=analysis.get("call_summary"),
        sentiment=sentiment if sentiment in _SENTIMENTS else None,
        successful=successful if isinstance(successful, bool) else None,
        end_reason=raw.get("disconnection_reason"),
        platform_status=raw_status,
        analysis=analysis,
        metadata=raw.get("metadata") or {},
    )


def _require(raw: Any, key: str, what: str) -> str:
    return require_field(raw, key, platform="Retell", what=what)


def _from_ms(value: Any) -> datetime | None:
    return None if value is None else _EPOCH + timedelta(milliseconds=int(value))


def _cents_to_usd(cents: Any) -> Decimal | None:
    return to_usd(cents, per_dollar=100)


def _turns(raw: dict[str, Any]) -> list[Turn]:
    # transcript_object holds only utterances; the tool-call variant is the fallback.
    items = raw.get("transcript_object") or raw.get("transcript_with_tool_calls") or []
    return [turn for turn in map(_turn, items) if turn is not None]


def _turn(item: dict[str, Any]) -> Turn | None:
    kind = item.get("role")
    role = None if kind is None else _ROLES.get(kind)
    if role is None:  # node transitions and other bookkeeping entries
        return None
    words = [
        Word(w.get("word", ""), w["start"], w["end"])
        for w in item.get("words") or []
        if w.get("start") is not None and w.get("end") is not None
    ]
    text = item.get("content") or item.get("digit") or _tool_text(item)
    return Turn(
        role=role,
        text=text,
        start=words[0].start if words else item.get("time_sec"),
        end=words[-1].end if words else None,
        words=words or None,
    )


def _tool_text(item: dict[str, Any]) -> str:
    name = item.get("name")
    return f"{name}({item.get('arguments', '')})" if name else ""


# --------------------------------------------------------------------------------------------------
# Connector (HTTP API and webhooks)
# --------------------------------------------------------------------------------------------------

_SIGNATURE = re.compile(r"^v=(\d+),\s*d=([0-9a-fA-F]{64})$")
_STORED_EVENTS = ("call_ended", "call_analyzed")
_VOICE_ONLY = {"channel": {"op": "eq", "type": "string", "value": "voice"}}


class RetellConnector(Connector):
    """Retell AI: v3 cursor-paginated call list + get-call per call (v3 items have no transcripts).

    Cursor: {"since_ms": start_timestamp high-water mark of finished passes,
             "pass": {"since_ms", "key", "max_ms"} while a pass is under way (key = pagination_key),
             "open": {call_id: start} calls to re-fetch because they were unfinished or unanalysed}.
    Retell can only filter calls by start time, so a call that changes after it was synced
    (analysis arrives later) is tracked in "open" and fetched again at the next pass.
    """

    platform = "retell"
    default_base_url = "https://api.retellai.com"
    page_size = 200  # list-calls limit (Retell allows up to 1000)
    max_page_size = 1000
    agents_page_size = 100
    fetch_concurrency = 4  # parallel get-call requests per page
    signature_window_s = 5 * 60
    list_timeout_s = 120.0  # Retell documents slow list-calls responses

    # -- agents -------------------------------------------------------------------------------------

    def list_agents(self) -> list[AgentRecord]:
        records, key = [], None
        while True:
            params: dict[str, Any] = {"limit": self.agents_page_size, "sort_order": "ascending"}
            if key:
                params["pagination_key"] = key
            page = self._request("POST", "/v2/list-agents", params=params, json={"filter_criteria": _VOICE_ONLY})
            for item in _items(page, "list-agents"):
                if item.get("channel") not in (None, "voice"):
                    continue
                records.append(self._full_agent(str(item["agent_id"])))
            key = page.get("pagination_key")
            if not page.get("has_more") or not key:
                return records

    def _full_agent(self, agent_id: str) -> AgentRecord:
        agent = self._request("GET", f"/get-agent/{quote(agent_id, safe='')}")
        engine = agent.get("response_engine") or {}
        llm = None
        if engine.get("type") == "retell-llm" and engine.get("llm_id"):
            try:  # the prompt and model live on the Retell LLM
                llm = self._request("GET", f"/get-retell-llm/{quote(str(engine['llm_id']), safe='')}")
            except PlatformError as exc:
                if exc.status_code != 404:
                    raise
        return map_agent(agent, llm)

    # -- calls --------------------------------------------------------------------------------------

    def get_call(self, call_id: str) -> CallRecord:
        return map_call(self._request("GET", f"/v2/get-call/{quote(call_id, safe='')}"))

    def list_calls(self, cursor: dict[str, Any] | None = None) -> Iterator[CallPage]:
        cursor = cursor or {}
        open_calls = OpenCalls.from_cursor(cursor)
        state = cursor.get("pass")
        if state is None:
            since = cursor.get("since_ms")
            state = {"since_ms": since, "key": None, "max_ms": since}
            if open_calls.ids:  # first, whatever was unfinished last time
                records = self._fetch_known(list(open_calls.ids), open_calls)
                yield CallPage(records, {"pass": dict(state), "open": open_calls.dump()})
        while True:
            body: dict[str, Any] = {"limit": self.page_size, "sort_order": "ascending"}
            if state["since_ms"] is not None:
                # ge, not gt: calls sharing the boundary millisecond are fetched again (upserts are idempotent).
                body["filter_criteria"] = {
                    "start_timestamp": {"op": "ge", "type": "number", "value": state["since_ms"]}
                }
            if state["key"]:
                body["pagination_key"] = state["key"]
            page = self._request("POST", "/v3/list-calls", json=body, timeout=self.list_timeout_s)
            items = [item for item in _items(page, "list-calls") if item.get("call_id")]  # no id: nothing to fetch
            records = self._fetch_all([str(item["call_id"]) for item in items])
            max_ms = state["max_ms"]
            for record, item in zip(records, items, strict=True):
                open_calls.note(record, _is_open(record))
                started = item.get("start_timestamp")
                if started is not None and (max_ms is None or started > max_ms):
                    max_ms = int(started)
            key = page.get("pagination_key")
            if page.get("has_more") and key:
                state = {"since_ms": state["since_ms"], "key": key, "max_ms": max_ms}
                yield CallPage(records, {"pass": dict(state), "open": open_calls.dump()})
            else:
                yield CallPage(records, {"since_ms": max_ms, "pass": None, "open": open_calls.dump()})
                return

    def _fetch_all(self, call_ids: list[str]) -> list[CallRecord]:
        if len(call_ids) <= 1 or self.fetch_concurrency <= 1:
            return [self.get_call(call_id) for call_id in call_ids]
        with ThreadPoolExecutor(max_workers=self.fetch_concurrency) as pool:
            return list(pool.map(self.get_call, call_ids))

    def _fetch_known(self, call_ids: list[str], open_calls: OpenCalls) -> list[CallRecord]:
        records = []
        for call_id in call_ids:
            try:
                record = self.get_call(call_id)
            except PlatformError as exc:
                if exc.status_code != 404:
                    raise
                open_calls.ids.pop(call_id, None)  # deleted on the platform
                continue
            open_calls.note(record, _is_open(record))
            records.append(record)
        return records

    # -- webhooks -----------------------------------------------------------------------------------

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, secret: str) -> str:
        """x-retell-signature: v=<ms>,d=hex(HMAC-SHA256(API key, body + ms)); ±5 minutes."""
        value = header(headers, "x-retell-signature")
        if not value:
            raise WebhookVerificationError("missing x-retell-signature header")
        match = _SIGNATURE.match(value.strip())
        if not match:
            raise WebhookVerificationError("malformed x-retell-signature header")
        check_timestamp(int(match[1]) / 1000, self.signature_window_s)
        if not secret or not equal(hmac_sha256_hex(secret, body + match[1].encode()), match[2].lower()):
            raise WebhookVerificationError("x-retell-signature does not match")
        return delivery_identity(body, int(match[1]))

    def parse_webhook(self, body: bytes) -> CallRecord | None:
        payload = json.loads(body)
        if not isinstance(payload, dict) or payload.get("event") not in _STORED_EVENTS:
            return None
        # `data` is the deprecated name; with neither, map_call reports the missing call_id.
        return map_call(payload.get("call") or payload.get("data") or {})


def _items(page: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(page, dict) or not isinstance(page.get("items", []), list):
        raise PlatformError(f"Retell {what} answered an unexpected shape")
    return page.get("items") or []


def _is_open(record: CallRecord) -> bool:
    # Still running, or ended but call_analysis (summary, sentiment, success) not in yet.
    return record.status == "in_progress" or (record.status == "ended" and not record.analysis)
