"""ElevenLabs Agents: mapping of native agent and conversation objects onto the common records, and the
connector.

Shapes: docs/platform-apis.md §3 (GET conversation, list-conversations summary, GET agent,
post_call_transcription webhook `data`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from voiceconsole.platforms.base import (
    AgentRecord,
    CallRecord,
    CallStatus,
    CostItem,
    Role,
    Sentiment,
    Turn,
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
_STATUSES: dict[str, CallStatus] = {
    "initiated": "in_progress",
    "in-progress": "in_progress",
    "processing": "in_progress",
    "done": "ended",
    "failed": "error",
}
_SUCCESS = {"success": True, "failure": False}
_ROLES: dict[str, Role] = {"agent": "agent", "user": "user"}
_SENTIMENTS: dict[str, Sentiment] = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}
# Analysis fields that the list summary carries at its top level.
_SUMMARY_ANALYSIS_KEYS = (
    "call_successful",
    "call_success_score",
    "transcript_summary",
    "call_summary_title",
    "sentiment_analysis",
    "evaluation_criteria_results",
    "data_collection_results",
)


def map_agent(raw: dict[str, Any]) -> AgentRecord:
    """Map a GET agent object (or a list-agents entry, which has only id, name and timestamps)."""
    agent_id = _require(raw, "agent_id", "agent")
    config = raw.get("conversation_config") or {}
    prompt = (config.get("agent") or {}).get("prompt") or {}
    return AgentRecord(
        platform="elevenlabs",
        platform_agent_id=agent_id,
        name=raw.get("name") or agent_id,
        voice=(config.get("tts") or {}).get("voice_id"),
        model=prompt.get("llm"),
        prompt=prompt.get("prompt"),
        platform_version=raw.get("version_id"),
        updated_at=_from_secs((raw.get("metadata") or {}).get("updated_at_unix_secs")),
        raw=raw,
    )


# raw_source names (what `ElevenLabsConnector.remap` accepts):
CALL = "call"  # a conversation (GET, with the list summary's fields merged in, or post_call_transcription `data`)
INITIATION_FAILURE = "call_initiation_failure"  # that webhook's `data` plus the envelope's `event_timestamp`

# metadata.charging -> cost items: (name, USD price key, credits charge key).
_CHARGES: tuple[tuple[str, str | None, str], ...] = (
    ("llm", "llm_price", "llm_charge"),
    ("platform", "platform_price", "platform_charge"),
    ("call", None, "call_charge"),
    ("voice_surcharge", None, "voice_surcharge_charge"),
)
# call_initiation_failure reasons that mean the dial itself worked (nobody took the call).
_UNANSWERED = ("busy", "no-answer")


def map_call(raw: dict[str, Any]) -> CallRecord:
    """Map a conversation (GET, or a post_call_transcription webhook's `data`) or a list summary."""
    conversation_id = _require(raw, "conversation_id", "conversation")
    meta = _dict(raw.get("metadata"))
    analysis = _dict(raw.get("analysis")) or {k: raw[k] for k in _SUMMARY_ANALYSIS_KEYS if k in raw}
    phone = _dict(meta.get("phone_call"))
    direction = phone.get("direction") or raw.get("direction")
    direction = direction if direction in ("inbound", "outbound") else None
    external, own = phone.get("external_number"), phone.get("agent_number")
    ends = {"inbound": (external, own), "outbound": (own, external)}
    from_number, to_number = ends[direction] if direction else (None, None)
    raw_status = raw.get("status") if isinstance(raw.get("status"), str) else None
    status: CallStatus = "ended" if raw_status is None else _STATUSES.get(raw_status, "ended")
    started_at = _from_secs(_first(meta, raw, "start_time_unix_secs"))
    duration_secs = as_int(_first(meta, raw, "call_duration_secs"))
    # While the call runs, call_duration_secs is only the time so far.
    duration_ms = None if status == "in_progress" or duration_secs is None else duration_secs * 1000
    ended_at = started_at + timedelta(milliseconds=duration_ms) if started_at and duration_ms is not None else None
    turns = _turns(raw.get("transcript"))
    cost = _first(meta, raw, "cost_fiat")  # USD; metadata.cost is credits, never use it as money
    reason = _first(meta, raw, "termination_reason")
    return CallRecord(
        platform="elevenlabs",
        platform_call_id=conversation_id,
        platform_agent_id=raw.get("agent_id"),
        status=status,
        started_at=started_at,
        agent_name=raw.get("agent_name"),
        direction=direction,
        from_number=from_number,
        to_number=to_number,
        ended_at=ended_at,
        duration_ms=duration_ms,
        cost_usd=to_usd(cost),
        recording_url=None,  # no URL: the audio is fetched from GET …/conversations/{id}/audio
        transcript=transcript_text(turns) or None,
        turns=turns,
        summary=analysis.get("transcript_summary"),
        sentiment=_sentiment(analysis),
        successful=_successful(analysis),
        end_reason=reason if isinstance(reason, str) and reason else None,  # "" means none given
        platform_status=raw_status,
        analysis=analysis,
        metadata=meta,
        cost_credits=as_int(_first(meta, raw, "cost")),
        cost_breakdown=_charges(_dict(meta.get("charging"))),
        raw=raw,
        raw_source=CALL,
    )


def map_initiation_failure(raw: dict[str, Any]) -> CallRecord:
    """Map a call_initiation_failure webhook: an outbound dial that never became a conversation.

    `raw` is the event's `data` (`agent_id`, `conversation_id`, `failure_reason` busy / no-answer /
    unknown, `metadata: {type: twilio | sip, body: {…the telephony provider's fields…}}`) with the
    envelope's `event_timestamp` (unix seconds) added.
    """
    conversation_id = _require(raw, "conversation_id", "call_initiation_failure")
    reason = raw.get("failure_reason") if isinstance(raw.get("failure_reason"), str) else None
    meta = _dict(raw.get("metadata"))
    from_number, to_number = _dialled_numbers(_dict(meta.get("body")))
    # The dial never started a call, so there is no start time; the failure event's own time (the
    # attempt plus its ring time) is the closest there is, is in the payload (so remap gives the same
    # answer) and orders a campaign's attempts. There is no talk time: duration stays unknown.
    at = _from_secs(raw.get("event_timestamp"))
    return CallRecord(
        platform="elevenlabs",
        platform_call_id=conversation_id,
        platform_agent_id=raw.get("agent_id") or None,
        status="ended" if reason in _UNANSWERED else "error",
        started_at=at,
        direction="outbound",
        from_number=from_number,
        to_number=to_number,
        ended_at=at,
        end_reason=reason or None,
        metadata=meta,
        raw=raw,
        raw_source=INITIATION_FAILURE,
    )


def _dialled_numbers(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(from, to) of a failed outbound dial from the provider's fields: Twilio's status-callback names
    (`From`/`To`, or `Caller`/`Called`), or SIP-style snake_case ones."""

    def first(*keys: str) -> str | None:
        return next((body[k] for k in keys if isinstance(body.get(k), str) and body[k]), None)

    return (
        first("From", "Caller", "from_number", "from", "caller"),
        first("To", "Called", "to_number", "to", "called"),
    )


def _charges(charging: dict[str, Any]) -> list[CostItem]:
    """metadata.charging: prices in USD, charges in credits (call and voice surcharge: credits only)."""
    items = []
    for name, price_key, charge_key in _CHARGES:
        usd = to_usd(charging.get(price_key)) if price_key else None
        credits = as_int(charging.get(charge_key))
        if usd is not None or credits is not None:
            items.append(CostItem(name=name, usd=usd, credits=credits))
    return items


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _require(raw: Any, key: str, what: str) -> str:
    return require_field(raw, key, platform="ElevenLabs", what=what)


def _first(meta: dict[str, Any], raw: dict[str, Any], key: str) -> Any:
    """A field from metadata (conversation shape) or the top level (list summary shape)."""
    return meta[key] if meta.get(key) is not None else raw.get(key)


def _from_secs(value: Any) -> datetime | None:
    secs = as_int(value)
    if secs is None:
        return None
    try:
        return _EPOCH + timedelta(seconds=secs)
    except OverflowError:
        return None


def _turns(items: Any) -> list[Turn]:
    if not isinstance(items, list):
        return []
    timed = [(role, item) for item in items if isinstance(item, dict) and (role := _role(item))]
    turns = []
    for i, (role, item) in enumerate(timed):
        # Only start times are given: a turn ends when the next one starts (unknown for the last).
        following = as_float(timed[i + 1][1].get("time_in_call_secs")) if i + 1 < len(timed) else None
        start = as_float(item.get("time_in_call_secs"))
        turns.append(Turn(role=role, text=_text(item), start=start, end=following))
    return turns


def _role(item: dict[str, Any]) -> Role | None:
    if item.get("message"):
        role = item.get("role")
        return _ROLES.get(role) if isinstance(role, str) else None
    # message is null for turns that only call tools.
    return "tool" if item.get("tool_calls") or item.get("tool_results") else None


def _text(item: dict[str, Any]) -> str:
    if item.get("message"):
        return str(item["message"])
    calls = item.get("tool_calls") or item.get("tool_results") or []
    if not isinstance(calls, list):
        return ""
    return ", ".join(str(_dict(c).get("tool_name", "")) for c in calls)


def _sentiment(analysis: dict[str, Any]) -> Sentiment | None:
    label = _dict(analysis.get("sentiment_analysis")).get("overall_label")
    if label is None:
        # Not in the full conversation: fall back to a "sentiment" data-collection item if configured.
        label = _dict(_dict(analysis.get("data_collection_results")).get("sentiment")).get("value")
    return _SENTIMENTS.get(label.lower()) if isinstance(label, str) else None


def _successful(analysis: dict[str, Any]) -> bool | None:
    verdict = analysis.get("call_successful")
    return _SUCCESS.get(verdict) if isinstance(verdict, str) else None


# --------------------------------------------------------------------------------------------------
# Connector (HTTP API and webhooks)
# --------------------------------------------------------------------------------------------------


class ElevenLabsConnector(Connector):
    """ElevenLabs Agents: cursor / next_cursor pages of conversation summaries, then GET each
    conversation for the full transcript (the summary's sentiment, which only the list has, is kept).

    Cursor: {"since": start_time_unix_secs high-water mark of finished passes,
             "pass": {"since", "cursor", "max"} while a pass is under way,
             "open": {conversation_id: start} conversations still running or processing last time}.
    """

    platform = "elevenlabs"
    default_base_url = "https://api.elevenlabs.io"
    page_size = 100  # the maximum ElevenLabs allows
    max_page_size = 100
    fetch_concurrency = 4
    signature_window_s = 30 * 60

    def _auth_headers(self, api_key: str) -> dict[str, str]:
        return {"xi-api-key": api_key}

    # -- agents -------------------------------------------------------------------------------------

    def list_agents(self) -> list[AgentRecord]:
        records, cursor = [], None
        while True:
            params: dict[str, Any] = {"page_size": self.page_size}
            if cursor:
                params["cursor"] = cursor
            page = self._request("GET", "/v1/convai/agents", params=params)
            for item in _list(page, "agents"):
                if item.get("archived"):
                    continue
                agent_id = quote(str(item["agent_id"]), safe="")
                records.append(map_agent(self._request("GET", f"/v1/convai/agents/{agent_id}")))
            cursor = page.get("next_cursor")
            if not page.get("has_more") or not cursor:
                return records

    def check_key(self) -> None:
        self._request("GET", "/v1/convai/agents", params={"page_size": 1})

    # -- calls --------------------------------------------------------------------------------------

    def get_call(self, call_id: str) -> CallRecord:
        return map_call(self._conversation(call_id))

    def _conversation(self, conversation_id: str, summary: dict[str, Any] | None = None) -> dict[str, Any]:
        full = self._request("GET", f"/v1/convai/conversations/{quote(conversation_id, safe='')}")
        if summary:
            # Sentiment, the agent's name and the direction are only in the list summary.
            analysis = dict(full.get("analysis") or {})
            if summary.get("sentiment_analysis") and not analysis.get("sentiment_analysis"):
                analysis["sentiment_analysis"] = summary["sentiment_analysis"]
                full = {**full, "analysis": analysis}
            for key in ("agent_name", "direction"):
                if summary.get(key) and not full.get(key):
                    full = {**full, key: summary[key]}
        return full

    def list_calls(self, cursor: dict[str, Any] | None = None) -> Iterator[CallPage]:
        cursor = cursor or {}
        open_calls = OpenCalls.from_cursor(cursor)
        state = cursor.get("pass")
        if state is None:
            since = cursor.get("since")
            state = {"since": since, "cursor": None, "max": since}
            if open_calls.ids:
                records = self._fetch_known(list(open_calls.ids), open_calls)
                yield CallPage(records, {"pass": dict(state), "open": open_calls.dump()})
        while True:
            params: dict[str, Any] = {"page_size": self.page_size}
            if state["since"] is not None:
                # One second back: calls in the boundary second are fetched again (upserts are idempotent).
                params["call_start_after_unix"] = int(state["since"]) - 1
            if state["cursor"]:
                params["cursor"] = state["cursor"]
            page = self._request("GET", "/v1/convai/conversations", params=params)
            summaries = [s for s in _list(page, "conversations") if s.get("conversation_id")]
            records = [map_call(raw) for raw in self._fetch_all(summaries)]
            newest = state["max"]
            for record, summary in zip(records, summaries, strict=True):
                open_calls.note(record, record.status == "in_progress")
                started = summary.get("start_time_unix_secs")
                if started is not None and (newest is None or started > newest):
                    newest = int(started)
            next_cursor = page.get("next_cursor")
            if page.get("has_more") and next_cursor:
                state = {"since": state["since"], "cursor": next_cursor, "max": newest}
                yield CallPage(records, {"pass": dict(state), "open": open_calls.dump()})
            else:
                yield CallPage(records, {"since": newest, "pass": None, "open": open_calls.dump()})
                return

    def list_agent_calls(self, platform_agent_id: str) -> Iterator[CallPage]:
        """`GET /v1/convai/conversations?agent_id=`, then each conversation for its transcript."""
        cursor = None
        while True:
            params: dict[str, Any] = {"page_size": self.page_size, "agent_id": platform_agent_id}
            if cursor:
                params["cursor"] = cursor
            page = self._request("GET", "/v1/convai/conversations", params=params)
            summaries = [s for s in _list(page, "conversations") if s.get("conversation_id")]
            records = [map_call(raw) for raw in self._fetch_all(summaries)]
            cursor = page.get("next_cursor")
            more = bool(page.get("has_more") and cursor)
            yield CallPage(records, {"agent_id": platform_agent_id, "cursor": cursor if more else None})
            if not more:
                return

    def count_recent_calls(self, platform_agent_id: str, since: datetime) -> int:
        """Conversation summaries since `since` (`call_start_after_unix`), up to `ACTIVITY_SAMPLE` of them."""
        counted, cursor = 0, None
        while counted < ACTIVITY_SAMPLE:
            params: dict[str, Any] = {
                "page_size": self.page_size,
                "agent_id": platform_agent_id,
                "call_start_after_unix": int(since.timestamp()),
                "summary_mode": "exclude",
            }
            if cursor:
                params["cursor"] = cursor
            page = self._request("GET", "/v1/convai/conversations", params=params)
            counted += len(_list(page, "conversations"))
            cursor = page.get("next_cursor")
            if not page.get("has_more") or not cursor:
                break
        return counted

    def _fetch_all(self, summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        def fetch(summary: dict[str, Any]) -> dict[str, Any]:
            return self._conversation(str(summary["conversation_id"]), summary)

        if len(summaries) <= 1 or self.fetch_concurrency <= 1:
            return [fetch(s) for s in summaries]
        with ThreadPoolExecutor(max_workers=self.fetch_concurrency) as pool:
            return list(pool.map(fetch, summaries))

    def _fetch_known(self, conversation_ids: list[str], open_calls: OpenCalls) -> list[CallRecord]:
        records = []
        for conversation_id in conversation_ids:
            try:
                record = self.get_call(conversation_id)
            except PlatformError as exc:
                if exc.status_code != 404:
                    raise
                open_calls.ids.pop(conversation_id, None)
                continue
            open_calls.note(record, record.status == "in_progress")
            records.append(record)
        return records

    # -- webhooks -----------------------------------------------------------------------------------

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, secret: str) -> str:
        """ElevenLabs-Signature: t=<unix s>,v0=hex(HMAC-SHA256(secret, "{t}.{body}")); ±30 minutes."""
        if not secret:
            raise WebhookVerificationError("no webhook secret is configured for this integration")
        value = header(headers, "elevenlabs-signature")
        if not value:
            raise WebhookVerificationError("missing ElevenLabs-Signature header")
        parts = dict(p.strip().split("=", 1) for p in value.split(",") if "=" in p)
        timestamp, signature = parts.get("t", ""), parts.get("v0", "")
        if not timestamp.isdigit() or not signature:
            raise WebhookVerificationError("malformed ElevenLabs-Signature header")
        check_timestamp(int(timestamp), self.signature_window_s)
        if not equal(hmac_sha256_hex(secret, timestamp.encode() + b"." + body), signature.lower()):
            raise WebhookVerificationError("ElevenLabs-Signature does not match")
        return delivery_identity(body, int(timestamp))

    @staticmethod
    def remap(source: str, raw: dict[str, Any]) -> CallRecord:
        """ "call": a conversation as fetched (list-summary fields merged in) or a post_call_transcription
        `data`; "call_initiation_failure": that event's `data` with the envelope's `event_timestamp`."""
        if source == CALL:
            return map_call(raw)
        if source == INITIATION_FAILURE:
            return map_initiation_failure(raw)
        raise ValueError(f"ElevenLabs produces no {source!r} payload")

    def parse_webhook(self, body: bytes) -> CallRecord | None:
        payload = json.loads(body)
        kind = payload.get("type") if isinstance(payload, dict) else None
        if kind == "post_call_transcription":
            return map_call(payload.get("data") or {})  # with no data, map_call reports the missing id
        if kind == "call_initiation_failure":
            data = payload.get("data")
            if not isinstance(data, dict) or not data.get("conversation_id"):
                return None  # names no conversation: nothing to record it under
            return map_initiation_failure({**data, "event_timestamp": payload.get("event_timestamp")})
        return None


def _list(page: Any, key: str) -> list[dict[str, Any]]:
    if not isinstance(page, dict) or not isinstance(page.get(key, []), list):
        raise PlatformError(f"ElevenLabs list {key} answered an unexpected shape")
    return page.get(key) or []
