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
    CostItem,
    LatencyStats,
    Role,
    Sentiment,
    Turn,
    Word,
    as_float,
    as_int,
    require_field,
    to_usd,
    transcript_text,
)
from voiceconsole.platforms.connector import (
    ACTIVITY_SAMPLE,
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
_SENTIMENTS: dict[str, Sentiment] = {s: s for s in ("Positive", "Neutral", "Negative")}  # "Unknown": none


# raw_source names (what `RetellConnector.remap` accepts), both a Retell call object:
CALL = "call"  # from get-call (sync), mapped as it says
ENDED_CALL = "call_ended"  # from a call_ended / call_analyzed webhook: map_call(raw, ended=True)

# Extra recordings by CallRecord.recordings key; `recording_url` stays the main (mono) one.
_RECORDINGS = {
    "multichannel": "recording_multi_channel_url",
    "scrubbed": "scrubbed_recording_url",
    "scrubbed_multichannel": "scrubbed_recording_multi_channel_url",
}


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


def map_call(raw: dict[str, Any], *, ended: bool = False) -> CallRecord:
    """Map a get-call object, a webhook `call`, or a v3 list-calls item (which has no transcript).

    `ended`: the call is known to be over (a `call_ended` / `call_analyzed` webhook), so a call object
    still saying `registered` or `ongoing` (captured before the status moved on) maps to "ended";
    `platform_status` keeps what was sent. Such records say `raw_source="call_ended"`.
    """
    call_id = _require(raw, "call_id", "call")
    started_at = _from_ms(raw.get("start_timestamp"))
    ended_at = _from_ms(raw.get("end_timestamp"))
    duration_ms = as_int(raw.get("duration_ms"))
    if duration_ms is None and started_at and ended_at:
        duration_ms = (ended_at - started_at) // timedelta(milliseconds=1)
    analysis = _dict(raw.get("call_analysis"))
    turns = _turns(raw)
    direction = raw.get("direction")
    sentiment = analysis.get("user_sentiment")
    successful = analysis.get("call_successful")
    raw_status = raw.get("call_status")
    fallback: CallStatus = "ended" if ended_at else "in_progress"
    status = _STATUSES.get(raw_status, fallback) if isinstance(raw_status, str) else fallback
    if ended and status == "in_progress":
        status = "ended"  # the event says the call is over: trust it over a stale status
    call_cost = _dict(raw.get("call_cost"))
    return CallRecord(
        platform="retell",
        platform_call_id=call_id,
        platform_agent_id=raw.get("agent_id"),
        status=status,
        started_at=started_at,
        agent_name=raw.get("agent_name"),
        direction=direction if direction in ("inbound", "outbound") else None,
        from_number=raw.get("from_number"),
        to_number=raw.get("to_number"),
        ended_at=ended_at,
        duration_ms=duration_ms,
        cost_usd=_cents_to_usd(call_cost.get("combined_cost")),
        recording_url=raw.get("recording_url"),
        transcript=(transcript_text(turns) if turns else raw.get("transcript")) or None,
        turns=turns,
        summary=analysis.get("call_summary"),
        sentiment=_SENTIMENTS.get(sentiment) if isinstance(sentiment, str) else None,
        successful=successful if isinstance(successful, bool) else None,
        end_reason=raw.get("disconnection_reason"),
        platform_status=raw_status if isinstance(raw_status, str) else None,
        analysis=analysis,
        metadata=_dict(raw.get("metadata")),
        cost_breakdown=_cost_breakdown(call_cost),
        latency=_latency(raw.get("latency")),
        recordings=_recordings(raw),
        raw=raw,
        raw_source=ENDED_CALL if ended else CALL,
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _cost_breakdown(call_cost: dict[str, Any]) -> list[CostItem]:
    """`call_cost.product_costs`: cost in cents, unit_price in cents per second of call."""
    items = []
    for product in call_cost.get("product_costs") or []:
        if not isinstance(product, dict) or not isinstance(product.get("product"), str) or not product["product"]:
            continue
        cost, unit_price = as_float(product.get("cost")), as_float(product.get("unit_price"))
        seconds = None
        if cost is not None and unit_price is not None and unit_price > 0:
            seconds = round(cost / unit_price, 3)
        name = product["product"] + (" (transfer leg)" if product.get("is_transfer_leg_cost") is True else "")
        items.append(
            CostItem(
                name=name,
                usd=_cents_to_usd(cost),
                quantity=seconds,
                unit=None if seconds is None else "seconds",
            )
        )
    return items


def _latency(latency: Any) -> dict[str, LatencyStats]:
    """`latency.{e2e, llm, tts, asr, knowledge_base, s2s, llm_websocket_network_rtt}` as given (ms);
    the per-measurement `values` are left in the raw payload."""
    stages = {}
    for stage, given in _dict(latency).items():
        if not isinstance(given, dict):
            continue
        stats = LatencyStats(
            p50=as_float(given.get("p50")),
            p90=as_float(given.get("p90")),
            p95=as_float(given.get("p95")),
            p99=as_float(given.get("p99")),
            min=as_float(given.get("min")),
            max=as_float(given.get("max")),
            num=as_int(given.get("num")),
        )
        if stats.to_dict():
            stages[str(stage)] = stats
    return stages


def _recordings(raw: dict[str, Any]) -> dict[str, str]:
    return {name: raw[key] for name, key in _RECORDINGS.items() if isinstance(raw.get(key), str) and raw[key]}


def _require(raw: Any, key: str, what: str) -> str:
    return require_field(raw, key, platform="Retell", what=what)


def _from_ms(value: Any) -> datetime | None:
    ms = as_int(value)
    if ms is None:
        return None
    try:
        return _EPOCH + timedelta(milliseconds=ms)
    except OverflowError:
        return None


def _cents_to_usd(cents: Any) -> Decimal | None:
    return to_usd(cents, per_dollar=100)


def _turns(raw: dict[str, Any]) -> list[Turn]:
    # transcript_object holds only utterances; the tool-call variant is the fallback.
    items = raw.get("transcript_object") or raw.get("transcript_with_tool_calls") or []
    if not isinstance(items, list):
        return []
    return [turn for item in items if isinstance(item, dict) and (turn := _turn(item)) is not None]


def _turn(item: dict[str, Any]) -> Turn | None:
    kind = item.get("role")
    role = _ROLES.get(kind) if isinstance(kind, str) else None
    if role is None:  # node transitions and other bookkeeping entries
        return None
    words = [
        Word(str(w.get("word", "")), start, end)
        for w in item.get("words") or []
        if isinstance(w, dict)
        and (start := as_float(w.get("start"))) is not None
        and (end := as_float(w.get("end"))) is not None
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
             "pass": {"since_ms", "key", "max_ms", "undated"?} while a pass is under way (key =
                      pagination_key; "undated": in the second walk, of never-connected calls),
             "open": {call_id: start} calls to re-fetch because they were unfinished or unanalysed}.
    Retell can only filter calls by start time, so a call that changes after it was synced
    (analysis arrives later) is tracked in "open" and fetched again at the next pass; and a dial
    that never connected has no start, so an incremental pass walks those, by end time, after the rest.
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

    def check_key(self) -> None:
        self._request("POST", "/v2/list-agents", params={"limit": 1}, json={"filter_criteria": _VOICE_ONLY})

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
                body["filter_criteria"] = _since_filter(state["since_ms"], undated=bool(state.get("undated")))
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
                state = {**state, "key": key, "max_ms": max_ms}
                yield CallPage(records, {"pass": dict(state), "open": open_calls.dump()})
            elif state["since_ms"] is not None and not state.get("undated"):
                # Then the dials that never connected since: they have no start, so the filter above
                # cannot find them (a first, unfiltered pass lists them with the rest).
                state = {"since_ms": state["since_ms"], "key": None, "max_ms": max_ms, "undated": True}
                yield CallPage(records, {"pass": dict(state), "open": open_calls.dump()})
            else:
                yield CallPage(records, {"since_ms": max_ms, "pass": None, "open": open_calls.dump()})
                return

    def list_agent_calls(self, platform_agent_id: str) -> Iterator[CallPage]:
        """`POST /v3/list-calls` with `filter_criteria.agent` (oldest first), then get-call for each."""
        key = None
        while True:
            body: dict[str, Any] = {
                "limit": self.page_size,
                "sort_order": "ascending",
                "filter_criteria": _agent_filter(platform_agent_id),
            }
            if key:
                body["pagination_key"] = key
            page = self._request("POST", "/v3/list-calls", json=body, timeout=self.list_timeout_s)
            items = [item for item in _items(page, "list-calls") if item.get("call_id")]
            records = self._fetch_all([str(item["call_id"]) for item in items])
            key = page.get("pagination_key")
            more = bool(page.get("has_more") and key)
            yield CallPage(records, {"agent_id": platform_agent_id, "key": key if more else None})
            if not more:
                return

    def count_recent_calls(self, platform_agent_id: str, since: datetime) -> int:
        """One list-calls request asking for the total (`include_total`); its items if no total comes back."""
        criteria = {
            **_agent_filter(platform_agent_id),
            "start_timestamp": {"op": "ge", "type": "number", "value": int(since.timestamp() * 1000)},
        }
        body = {
            "limit": ACTIVITY_SAMPLE,
            "sort_order": "descending",
            "include_total": True,
            "filter_criteria": criteria,
        }
        page = self._request("POST", "/v3/list-calls", json=body, timeout=self.list_timeout_s)
        total = page.get("total") if isinstance(page, dict) else None
        if isinstance(total, int) and not isinstance(total, bool):
            return total
        return len(_items(page, "list-calls"))

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

    @staticmethod
    def remap(source: str, raw: dict[str, Any]) -> CallRecord:
        """ "call": a call object as get-call returned it; "call_ended": a call object a call_ended or
        call_analyzed webhook carried (the call is over whatever its status says)."""
        if source == CALL:
            return map_call(raw)
        if source == ENDED_CALL:
            return map_call(raw, ended=True)
        raise ValueError(f"Retell produces no {source!r} payload")

    def parse_webhook(self, body: bytes) -> CallRecord | None:
        payload = json.loads(body)
        if not isinstance(payload, dict) or payload.get("event") not in _STORED_EVENTS:
            return None
        # `data` is the deprecated name; with neither, map_call reports the missing call_id.
        return map_call(payload.get("call") or payload.get("data") or {}, ended=True)


def _since_filter(since_ms: int, *, undated: bool) -> dict[str, Any]:
    """Calls started at or after `since_ms` (ge, not gt: calls sharing the boundary millisecond are
    fetched again; upserts are idempotent), or, `undated`, calls that never connected and ended since."""
    if undated:
        return {
            "call_status": {"op": "in", "type": "enum", "value": ["not_connected"]},
            "end_timestamp": {"op": "ge", "type": "number", "value": since_ms},
        }
    return {"start_timestamp": {"op": "ge", "type": "number", "value": since_ms}}


def _agent_filter(platform_agent_id: str) -> dict[str, Any]:
    """One agent's calls, every version (v3 `filter_criteria.agent`: `[{agent_id, version?}]`)."""
    return {"agent": [{"agent_id": platform_agent_id}]}


def _items(page: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(page, dict) or not isinstance(page.get("items", []), list):
        raise PlatformError(f"Retell {what} answered an unexpected shape")
    return page.get("items") or []


# Retell sends call_analyzed for calls that never connected too (dial_failed, dial_no_answer, dial_busy;
# webhook overview), but fills no custom analysis for them and may leave call_analysis empty for good.
# So a not_connected call waits for analysis only this long after it ended (or, without an end, started);
# one with neither timestamp is not kept open at all (OpenCalls would age it from "now" for ever). Its
# call_analyzed webhook still updates it whenever it comes.
NOT_CONNECTED_ANALYSIS_WAIT = timedelta(hours=1)


def _is_open(record: CallRecord, now: datetime | None = None) -> bool:
    """Still running, or ended but call_analysis (summary, sentiment, success) not in yet."""
    if record.status == "in_progress":
        return True
    if record.status != "ended" or record.analysis:
        return False
    if record.platform_status == "not_connected":
        since = record.ended_at or record.started_at
        return since is not None and (now or datetime.now(UTC)) - since < NOT_CONNECTED_ANALYSIS_WAIT
    return True
