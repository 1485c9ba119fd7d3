"""Vapi: mapping of native Assistant and Call objects onto the common records, and the connector.

Shapes: docs/platform-apis.md §2 (GET /call, GET /assistant, end-of-call-report `call`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from voiceconsole.platforms.base import (
    AgentRecord,
    CallRecord,
    CallStatus,
    CostItem,
    Direction,
    LatencyStats,
    Role,
    Sentiment,
    Turn,
    as_float,
    require_field,
    to_usd,
    transcript_text,
)
from voiceconsole.platforms.connector import (
    ACTIVITY_SAMPLE,
    HMAC_ALGORITHMS,
    CallPage,
    Connector,
    PlatformAuthError,
    PlatformError,
    WebhookVerificationError,
    check_timestamp,
    delivery_identity,
    equal,
    header,
    secret_keys,
    signature_matches,
)

# --------------------------------------------------------------------------------------------------
# Mapping
# --------------------------------------------------------------------------------------------------

_LIVE_STATUSES = {"scheduled", "queued", "ringing", "in-progress", "forwarding"}
# "not-found" / "deletion-failed" describe a broken call record, not a finished conversation.
_BROKEN_STATUSES = {"not-found", "deletion-failed"}
_ERROR_PREFIXES = ("pipeline-error-", "call.start.error-", "call.in-progress.error-")
_DIRECTIONS: dict[str, Direction] = {"inboundPhoneCall": "inbound", "outboundPhoneCall": "outbound"}
_ROLES: dict[str, Role] = {
    "bot": "agent",
    "assistant": "agent",
    "user": "user",
    "system": "system",
    "tool_calls": "tool",
    "tool_call_result": "tool",
    "tool": "tool",
    "function": "tool",
}
_SENTIMENTS: dict[str, Sentiment] = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}
# successEvaluation words from the PassFail, DescriptiveScale and LikertScale rubrics.
_SUCCESS_WORDS = {
    "true": True,
    "pass": True,
    "passed": True,
    "yes": True,
    "excellent": True,
    "good": True,
    "agree": True,
    "strongly agree": True,
    "false": False,
    "fail": False,
    "failed": False,
    "no": False,
    "fair": False,
    "poor": False,
    "disagree": False,
    "strongly disagree": False,
}
_SCORE = re.compile(r"(\d+(?:\.\d+)?)\s*(%|/\s*(\d+(?:\.\d+)?))?")


def map_agent(raw: dict[str, Any]) -> AgentRecord:
    """Map an Assistant object."""
    agent_id = _require(raw, "id", "assistant")
    model = raw.get("model") or {}
    system = next((m.get("content") for m in model.get("messages") or [] if m.get("role") == "system"), None)
    return AgentRecord(
        platform="vapi",
        platform_agent_id=agent_id,
        name=raw.get("name") or agent_id,
        voice=(raw.get("voice") or {}).get("voiceId"),
        model=model.get("model"),
        prompt=system,
        platform_version=raw.get("latestVersion"),
        updated_at=_from_iso(raw.get("updatedAt")),
        raw=raw,
    )


# raw_source names (what `VapiConnector.remap` accepts):
CALL = "call"  # a Call object (GET /call, GET /call/{id}; with the resolved `phoneNumber` merged in)
END_OF_CALL_REPORT = "end-of-call-report"  # a whole end-of-call-report `message` (the webhook)


def map_call(raw: dict[str, Any]) -> CallRecord:
    """Map a Call object (GET /call, GET /call/{id}, or the `call` of a server message)."""
    call_id = _require(raw, "id", "call")
    created_at = _from_iso(raw.get("createdAt"))
    connected_at = _from_iso(raw.get("startedAt"))
    ended_at = _from_iso(raw.get("endedAt"))
    duration_ms = _duration_ms(raw, connected_at, ended_at)
    artifact = _dict(raw.get("artifact"))
    analysis = _dict(raw.get("analysis"))
    messages = artifact.get("messages") or raw.get("messages")
    turns = [_turn(m) for m in messages if _is_turn(m)] if isinstance(messages, list) else []
    kind = raw.get("type")
    direction = _DIRECTIONS.get(kind) if isinstance(kind, str) else None
    customer = _dict(raw.get("customer")).get("number")
    own = _dict(raw.get("phoneNumber")).get("number")
    ends = {"inbound": (customer, own), "outbound": (own, customer)}
    from_number, to_number = ends[direction] if direction else (None, None)
    cost_breakdown = _cost_breakdown(raw)
    ended_reason = raw.get("endedReason") if isinstance(raw.get("endedReason"), str) else None
    status = raw.get("status") if isinstance(raw.get("status"), str) else None
    return CallRecord(
        platform="vapi",
        platform_call_id=call_id,
        platform_agent_id=raw.get("assistantId") or None,
        status=_status(status, ended_reason, ended_at),
        # A call that never connected has no startedAt; when it was placed is the next best time.
        started_at=connected_at or created_at,
        agent_name=_dict(raw.get("assistant")).get("name"),
        direction=direction,
        from_number=from_number,
        to_number=to_number,
        ended_at=ended_at,
        duration_ms=duration_ms,
        cost_usd=_cost_usd(raw, cost_breakdown),
        recording_url=_recording_url(raw, artifact),
        transcript=transcript_text(turns) or artifact.get("transcript") or raw.get("transcript") or None,
        turns=turns,
        summary=analysis.get("summary") or raw.get("summary"),
        sentiment=_sentiment(analysis.get("structuredData")),
        successful=parse_success_evaluation(analysis.get("successEvaluation")),
        end_reason=ended_reason,
        platform_status=status,
        analysis=analysis,
        metadata=_dict(raw.get("metadata")),
        cost_breakdown=cost_breakdown,
        latency=_latency(artifact.get("performanceMetrics")),
        recordings=_recordings(raw, artifact),
        raw=raw,
        raw_source=CALL,
    )


def map_end_of_call_report(message: dict[str, Any]) -> CallRecord:
    """Map an end-of-call-report `message`: its `call` completed by the report's own fields (which
    are complete whatever `call` holds, even only an id). The record keeps the whole message as raw."""
    record = map_call(_end_of_call_call(message))
    record.raw = message
    record.raw_source = END_OF_CALL_REPORT
    return record


def parse_success_evaluation(value: Any) -> bool | None:
    """Read `analysis.successEvaluation`, whose format depends on the assistant's rubric.

    PassFail "true"/"false" (also pass/fail), NumericScale "1".."10" (>= 7 is a success),
    PercentageScale "70%" and up, DescriptiveScale Excellent/Good vs Fair/Poor, Likert agree vs
    disagree. Anything else (checklists, matrices, "Neutral") is unknown.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _SUCCESS_WORDS:
        return _SUCCESS_WORDS[text]
    match = _SCORE.fullmatch(text)
    if not match:
        return None
    score = float(match[1])
    if match[2] == "%":
        return score >= 70
    scale = float(match[3]) if match[3] else (10.0 if score <= 10 else 100.0)
    return score / scale >= 0.7


def _require(raw: Any, key: str, what: str) -> str:
    return require_field(raw, key, platform="Vapi", what=what)


def _from_iso(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:  # not an ISO-8601 instant: unknown, not an error
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _duration_ms(raw: dict[str, Any], started: datetime | None, ended: datetime | None) -> int | None:
    """endedAt − startedAt; else the end-of-call-report's own `durationMs` or `durationSeconds`."""
    if started and ended:
        return (ended - started) // timedelta(milliseconds=1)
    if (ms := as_float(raw.get("durationMs"))) is not None and ms >= 0:
        return round(ms)
    seconds = as_float(raw.get("durationSeconds"))
    return None if seconds is None or seconds < 0 else round(seconds * 1000)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _cost_usd(raw: dict[str, Any], breakdown: list[CostItem]) -> Decimal | None:
    """`cost`, else `costBreakdown.total`, else (neither given) the sum of the breakdown's components. A
    total that is given but unreadable is unknown: the components may not add up to what it said."""
    for total in (raw.get("cost"), _dict(raw.get("costBreakdown")).get("total")):
        if total is not None:
            return to_usd(total)
    known = [item.usd for item in breakdown if item.usd is not None]
    return sum(known, Decimal(0)) if known else None


# costs[] token counts: promptTokens/completionTokens (model, analysis, knowledge-base) or the
# text/audio split of voicemail-detection.
_TOKEN_KEYS = (
    "promptTokens",
    "completionTokens",
    "promptTextTokens",
    "promptAudioTokens",
    "completionTextTokens",
    "completionAudioTokens",
)
# costBreakdown components (USD), with the count that goes with some; not `total` nor the counts alone.
_BREAKDOWN_PARTS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("transport", (), None),
    ("stt", (), None),
    ("llm", ("llmPromptTokens", "llmCompletionTokens"), "tokens"),
    ("tts", ("ttsCharacters",), "characters"),
    ("vapi", (), None),
    ("chat", (), None),
)


def _cost_breakdown(raw: dict[str, Any]) -> list[CostItem]:
    """`costs[]` item by item (name = type, qualified by subType / analysisType / model), or, with no
    usable `costs[]`, the `costBreakdown` components."""
    costs = raw.get("costs")
    items = [item for c in costs if (item := _cost_item(c))] if isinstance(costs, list) else []
    if items:
        return items
    breakdown = _dict(raw.get("costBreakdown"))
    for name, count_keys, unit in _BREAKDOWN_PARTS:
        usd = to_usd(breakdown.get(name))
        if usd is None:
            continue
        counts = [n for key in count_keys if (n := as_float(breakdown.get(key))) is not None]
        quantity = sum(counts) if counts else None
        items.append(CostItem(name=name, usd=usd, quantity=quantity, unit=None if quantity is None else unit))
    return items


def _cost_item(cost: Any) -> CostItem | None:
    if not isinstance(cost, dict) or not isinstance(cost.get("type"), str) or not cost["type"]:
        return None
    model = _dict(cost.get("model")).get("model")
    qualifiers = [q for q in (cost.get("subType"), cost.get("analysisType"), model) if isinstance(q, str) and q]
    quantity, unit = None, None
    if (minutes := as_float(cost.get("minutes"))) is not None:
        quantity, unit = minutes, "minutes"
    elif (characters := as_float(cost.get("characters"))) is not None:
        quantity, unit = characters, "characters"
    elif tokens := [n for key in _TOKEN_KEYS if (n := as_float(cost.get(key))) is not None]:
        quantity, unit = sum(tokens), "tokens"
    return CostItem(
        name=cost["type"] + (f" ({', '.join(qualifiers)})" if qualifiers else ""),
        usd=to_usd(cost.get("cost")),
        quantity=quantity,
        unit=unit,
    )


# artifact.performanceMetrics: stage -> (per-turn key in turnLatencies[], call average key), in ms.
_TURN_STAGES = {
    "turn": ("turnLatency", "turnLatencyAverage"),
    "model": ("modelLatency", "modelLatencyAverage"),
    "voice": ("voiceLatency", "voiceLatencyAverage"),
    "transcriber": ("transcriberLatency", "transcriberLatencyAverage"),
    "endpointing": ("endpointingLatency", "endpointingLatencyAverage"),
}
_TRANSPORT_STAGES = {
    "from_transport": "fromTransportLatencyAverage",
    "to_transport": "toTransportLatencyAverage",
}


def _latency(metrics: Any) -> dict[str, LatencyStats]:
    """Per stage: percentiles, min, max, average and count over `turnLatencies[]` when it has values,
    else the call's `*Average` alone; transport averages as they are."""
    metrics = _dict(metrics)
    given = metrics.get("turnLatencies")
    turns = [t for t in given if isinstance(t, dict)] if isinstance(given, list) else []
    stages: dict[str, LatencyStats] = {}
    for stage, (key, average_key) in _TURN_STAGES.items():
        values = [n for t in turns if (n := as_float(t.get(key))) is not None]
        if values:
            stages[stage] = latency_stats(values)
        elif (average := as_float(metrics.get(average_key))) is not None:
            stages[stage] = LatencyStats(avg=average)
    for stage, average_key in _TRANSPORT_STAGES.items():
        if (average := as_float(metrics.get(average_key))) is not None:
            stages[stage] = LatencyStats(avg=average)
    return stages


def latency_stats(values: list[float]) -> LatencyStats:
    """Summary of measurements (ms): percentiles by linear interpolation between closest ranks (the
    usual "linear" / numpy default method), rounded to the microsecond."""
    ordered = sorted(values)

    def percentile(q: float) -> float:
        position = (len(ordered) - 1) * q
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 3)

    return LatencyStats(
        p50=percentile(0.5),
        p90=percentile(0.9),
        p95=percentile(0.95),
        p99=percentile(0.99),
        min=ordered[0],
        max=ordered[-1],
        avg=round(sum(ordered) / len(ordered), 3),
        num=len(ordered),
    )


def _recordings(raw: dict[str, Any], artifact: dict[str, Any]) -> dict[str, str]:
    """Recordings besides the main (mono, combined) one: stereo, video, and each side's mono track."""
    recording = _dict(artifact.get("recording"))
    mono = _dict(recording.get("mono"))
    found = {
        "stereo": artifact.get("stereoRecordingUrl") or recording.get("stereoUrl") or raw.get("stereoRecordingUrl"),
        "video": artifact.get("videoRecordingUrl") or recording.get("videoUrl"),
        "assistant": mono.get("assistantUrl"),
        "customer": mono.get("customerUrl"),
    }
    return {name: url for name, url in found.items() if isinstance(url, str) and url}


def _status(status: str | None, ended_reason: str | None, ended_at: datetime | None) -> CallStatus:
    if status in _LIVE_STATUSES or (status is None and ended_at is None):
        return "in_progress"
    if status in _BROKEN_STATUSES or _is_error(ended_reason):
        return "error"
    return "ended"


def _is_error(reason: str | None) -> bool:
    return bool(reason and (reason.startswith(_ERROR_PREFIXES) or "-failed-to-connect" in reason))


def _recording_url(raw: dict[str, Any], artifact: dict[str, Any]) -> str | None:
    mono = _dict(_dict(artifact.get("recording")).get("mono")).get("combinedUrl")
    url = artifact.get("recordingUrl") or mono or raw.get("recordingUrl")
    return url if isinstance(url, str) and url else None


def _is_turn(message: Any) -> bool:
    return isinstance(message, dict) and isinstance(message.get("role"), str) and message["role"] in _ROLES


def _turn(message: dict[str, Any]) -> Turn:
    start = as_float(message.get("secondsFromStart"))
    time, end_time = as_float(message.get("time")), as_float(message.get("endTime"))
    end = None
    if start is not None and time is not None and end_time is not None:
        end = round(start + (end_time - time) / 1000, 3)
    return Turn(role=_ROLES[message["role"]], text=_text(message), start=start, end=end)


def _text(message: dict[str, Any]) -> str:
    if message.get("message"):
        return str(message["message"])
    if message.get("result") is not None:
        return str(message["result"])
    calls = message.get("toolCalls")
    if not isinstance(calls, list):
        return ""
    return ", ".join(str(_dict(_dict(c).get("function")).get("name", "")) for c in calls)


def _sentiment(structured: Any) -> Sentiment | None:
    # Vapi has no sentiment field; use one from the structured-data schema when the agency added it.
    if not isinstance(structured, dict):
        return None
    label = structured.get("sentiment")
    return _SENTIMENTS.get(label.lower()) if isinstance(label, str) else None


# --------------------------------------------------------------------------------------------------
# Connector (HTTP API and webhooks)
# --------------------------------------------------------------------------------------------------

log = logging.getLogger(__name__)
_STORED_MESSAGES = ("end-of-call-report",)
_OVERLAP = timedelta(minutes=1)


class VapiConnector(Connector):
    """Vapi: `GET /call` and `GET /assistant` return bare arrays with no cursor.

    Pages are walked from the newest down with `createdAtLe` = the oldest createdAt seen so far,
    skipping the ids already seen at that boundary (so calls sharing a timestamp are neither lost
    nor repeated), until a page comes back shorter than the limit. Incremental passes add
    `updatedAtGt` = the newest updatedAt of the previous pass (less a minute of overlap), which
    also catches calls whose analysis arrived after they were first synced.

    Cursor: {"updated_after": ISO or None, "pass": {"le", "skip", "max_updated"} while under way}.
    """

    platform = "vapi"
    default_base_url = "https://api.vapi.ai"
    page_size = 500  # Vapi allows up to 1000
    max_page_size = 1000
    signature_window_s = 5 * 60
    _numbers: dict[str, str] | None = None

    def list_agents(self) -> list[AgentRecord]:
        records: list[AgentRecord] = []
        for items, _ in self._walk("/assistant", updated_after=None, state=None):
            records.extend(map_agent(item) for item in items)
        return records

    def check_key(self) -> None:
        self._request("GET", "/assistant", params={"limit": 1})

    def get_call(self, call_id: str) -> CallRecord:
        return map_call(self._with_number(self._request("GET", f"/call/{quote(call_id, safe='')}")))

    def _phone_numbers(self) -> dict[str, str]:
        """Our own numbers by phoneNumberId: calls carry only the id (the other party is `customer`)."""
        if self._numbers is None:
            try:
                items = self._request("GET", "/phone-number", params={"limit": 1000})
            except PlatformError as exc:
                if isinstance(exc, PlatformAuthError):
                    raise
                log.warning("Vapi phone numbers unavailable (%s); calls keep only the caller's number", exc.message)
                items = []
            self._numbers = (
                {n["id"]: n["number"] for n in items if isinstance(n, dict) and n.get("id") and n.get("number")}
                if isinstance(items, list)
                else {}
            )
        return self._numbers

    def _with_number(self, call: dict[str, Any]) -> dict[str, Any]:
        number = self._phone_numbers().get(call.get("phoneNumberId") or "")
        if number and not call.get("phoneNumber"):
            return {**call, "phoneNumber": {"id": call["phoneNumberId"], "number": number}}
        return call

    def list_calls(self, cursor: dict[str, Any] | None = None) -> Iterator[CallPage]:
        cursor = cursor or {}
        updated_after = cursor.get("updated_after")
        resume = cursor.get("pass")
        max_updated = (resume or {}).get("max_updated") or updated_after
        for items, state in self._walk("/call", updated_after=updated_after, state=resume):
            for item in items:
                if item.get("updatedAt") and (max_updated is None or _later(item["updatedAt"], max_updated)):
                    max_updated = item["updatedAt"]
            records = [map_call(self._with_number(item)) for item in items]
            if state is not None:
                yield CallPage(records, {"updated_after": updated_after, "pass": {**state, "max_updated": max_updated}})
            else:
                yield CallPage(records, {"updated_after": _minus_overlap(max_updated), "pass": None})

    def list_agent_calls(self, platform_agent_id: str) -> Iterator[CallPage]:
        """`GET /call?assistantId=`, walked from the newest down as `list_calls` walks every call."""
        filters = {"assistantId": platform_agent_id}
        for items, state in self._walk("/call", updated_after=None, state=None, filters=filters):
            records = [map_call(self._with_number(item)) for item in items]
            yield CallPage(records, {"assistantId": platform_agent_id, "pass": state})

    def count_recent_calls(self, platform_agent_id: str, since: datetime) -> int:
        """One `GET /call?assistantId=&createdAtGe=` of up to `ACTIVITY_SAMPLE` calls."""
        params = {"assistantId": platform_agent_id, "createdAtGe": _iso(since), "limit": ACTIVITY_SAMPLE}
        items = self._request("GET", "/call", params=params)
        if not isinstance(items, list):
            raise PlatformError("Vapi GET /call answered an unexpected shape")
        return len(items)

    def _walk(
        self,
        path: str,
        *,
        updated_after: str | None,
        state: dict[str, Any] | None,
        filters: dict[str, str] | None = None,
    ) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any] | None]]:
        """Yield (new items, state to resume after them); the state is None on the last page. `filters`: more
        query parameters (`assistantId`)."""
        le = (state or {}).get("le")
        skip = set((state or {}).get("skip") or ())
        strict = bool((state or {}).get("strict"))
        while True:
            params: dict[str, Any] = {"limit": self.page_size, **(filters or {})}
            if updated_after:
                params["updatedAtGt"] = updated_after
            if le:
                params["createdAtLt" if strict else "createdAtLe"] = le
            items = self._request("GET", path, params=params)
            if not isinstance(items, list):
                raise PlatformError(f"Vapi GET {path} answered an unexpected shape")
            fresh = [item for item in items if item.get("id") and item["id"] not in skip]
            last = len(items) < self.page_size
            strict = False
            if not last and not fresh:
                # More than a page of items share one createdAt: the only way forward is past it.
                log.warning("Vapi GET %s: over %d items share createdAt %s; stepping past it", path, self.page_size, le)
                strict = True
            elif items:
                oldest = min((item["createdAt"] for item in items if item.get("createdAt")), key=_parse, default=None)
                if oldest is not None:
                    at_boundary = {
                        item["id"] for item in items if item.get("createdAt") and _same(item["createdAt"], oldest)
                    }
                    skip = (skip | at_boundary) if le and _same(oldest, le) else at_boundary
                    le = oldest
            yield fresh, (None if last else {"le": le, "skip": sorted(skip), "strict": strict})
            if last:
                return

    # -- webhooks -----------------------------------------------------------------------------------

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, secret: str) -> str:
        """HMAC credential: the signature header holds HMAC(secret, payload); a signed timestamp must be
        within ±5 min.

        Every setting of Vapi's HMAC credential is accepted: `signatureHeader` (x-signature by default;
        x-vapi-signature as our setup page says; any header named *signature*), `timestampHeader`
        (x-timestamp, or any *timestamp* header), `algorithm` sha256, sha512 or sha1, `payloadFormat`
        `{timestamp}.{body}` (the default), `{svix-id}.{timestamp}.{body}` or the body alone
        (`includeTimestamp` off), `signatureEncoding` hex (any case) or base64, any `signaturePrefix`,
        and `secretIsBase64` (the key is then the decoded secret). Payload formats naming `{method}` or
        `{url}` are not: the request line is not passed to connectors. The replay identity is the
        canonical `delivery_identity`, the same whichever setting signed the delivery.

        Also accepted, for servers set up the older way: the static `X-Vapi-Secret: <secret>` header,
        or a Bearer credential (`Authorization: Bearer <secret>`), both compared in constant time.
        """
        if not secret:
            raise WebhookVerificationError("no webhook secret is configured for this integration")
        signatures = _headers_named(headers, _SIGNATURE_WORDS)
        static = _static_credential(headers)
        if signatures:
            try:
                return self._verify_hmac(headers, body, secret, signatures)
            except WebhookVerificationError:
                if static is None:  # else some other *signature* header rode along a static secret
                    raise
        if static is None:
            raise WebhookVerificationError("missing x-vapi-signature (or X-Vapi-Secret) header")
        if not equal(static, secret):
            raise WebhookVerificationError("X-Vapi-Secret does not match")
        return delivery_identity(body)  # a static secret signs nothing: the body identifies the delivery

    def _verify_hmac(self, headers: Mapping[str, str], body: bytes, secret: str, signatures: list[str]) -> str:
        keys, algorithms = secret_keys(secret), _algorithms(signatures)
        matched: list[int | None] = []
        # Every candidate is computed and compared whatever matched first, so timing tells nothing.
        for payload, stamp in _signed_payloads(headers, body):
            digests = [hmac.new(key, payload, algorithm).digest() for algorithm in algorithms for key in keys]
            if any([signature_matches(given, digests) for given in signatures]):  # a list: no short cut
                matched.append(stamp)
        if not matched:
            raise WebhookVerificationError("x-vapi-signature does not match")
        stamps = [stamp for stamp in matched if stamp is not None]
        if not stamps:
            return delivery_identity(body)  # includeTimestamp off: like a static secret, nothing is dated
        fresh = [stamp for stamp in stamps if _within(stamp, self.signature_window_s)]
        if not fresh:
            raise WebhookVerificationError("webhook timestamp is outside the allowed window")
        return delivery_identity(body, fresh[0])

    @staticmethod
    def remap(source: str, raw: dict[str, Any]) -> CallRecord:
        """ "call": a Call object as fetched (with the resolved phoneNumber); "end-of-call-report": the
        whole `message` of an end-of-call-report webhook."""
        if source == CALL:
            return map_call(raw)
        if source == END_OF_CALL_REPORT:
            return map_end_of_call_report(raw)  # a ValueError when it names no call
        raise ValueError(f"Vapi produces no {source!r} payload")

    def parse_webhook(self, body: bytes) -> CallRecord | None:
        payload = json.loads(body)
        message = payload.get("message") if isinstance(payload, dict) else None
        if not isinstance(message, dict) or message.get("type") not in _STORED_MESSAGES:
            return None
        if not _report_call_id(message):
            return None  # names no call (a chat session's report carries `chat`): nothing to store it under
        return map_end_of_call_report(message)


def _report_call_id(message: dict[str, Any]) -> str | None:
    call_id = _dict(message.get("call")).get("id")
    return call_id if isinstance(call_id, str) and call_id else None


# An HMAC credential names its own headers; these words find them, the defaults included (x-signature,
# x-vapi-signature; x-timestamp; Svix's svix-id / webhook-id for `{svix-id}` payloads). A few of each
# are tried, so a request stuffed with such headers costs no more than a few HMACs of its body.
_SIGNATURE_WORDS = ("signature",)
_TIMESTAMP_WORDS = ("timestamp",)
_MESSAGE_ID_WORDS = ("svix-id", "webhook-id", "message-id")
_MAX_HEADERS = 2


def _static_credential(headers: Mapping[str, str]) -> str | None:
    """The legacy `X-Vapi-Secret` header, or a Bearer credential's token."""
    static = header(headers, "x-vapi-secret")
    if static is None:
        scheme, _, token = (header(headers, "authorization") or "").partition(" ")
        static = token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return static


def _headers_named(headers: Mapping[str, str], words: tuple[str, ...]) -> list[str]:
    """The non-empty values of the (first few) headers whose name contains one of `words`."""
    values = [v.strip() for k, v in headers.items() if any(w in k.lower() for w in words) and v and v.strip()]
    return values[:_MAX_HEADERS]


def _algorithms(signatures: list[str]) -> list[str]:
    """The HMAC algorithms whose digest fits in one of the signatures (as hex, or as the shorter
    unpadded base64): a sha256 signature is not also tried as sha512 over a body of up to 5 MiB."""
    longest = max(len(given) for given in signatures)
    sizes = {algorithm: hashlib.new(algorithm).digest_size for algorithm in HMAC_ALGORITHMS}
    return [algorithm for algorithm, size in sizes.items() if -(-size * 4 // 3) <= longest]


def _signed_payloads(headers: Mapping[str, str], body: bytes) -> list[tuple[bytes, int | None]]:
    """What the credential may have signed, each with the timestamp it includes: `{timestamp}.{body}`,
    `{svix-id}.{timestamp}.{body}`, or the body alone."""
    payloads: list[tuple[bytes, int | None]] = [(body, None)]
    message_ids = _headers_named(headers, _MESSAGE_ID_WORDS)
    for text in _headers_named(headers, _TIMESTAMP_WORDS):
        if not (text.isascii() and text.isdigit() and len(text) <= 16):  # epoch s or ms, nothing else
            continue
        payloads.append((f"{text}.".encode() + body, int(text)))
        payloads += [(f"{mid}.{text}.".encode() + body, int(text)) for mid in message_ids]
    return payloads


def _within(stamp: int, window_s: float) -> bool:
    """Whether a signed timestamp, ms or s (Vapi's unit is not documented), is inside the window."""
    try:
        check_timestamp(stamp / 1000 if stamp > 10**11 else stamp, window_s)
    except WebhookVerificationError:
        return False
    return True


# Fields an end-of-call-report carries beside its `call`, final once the call and its analysis are
# done, while `call` may have been captured mid-call (or hold only an id): the report's win. Some
# (transcript, recordingUrl, summary, messages, duration*) are sent though the SDK model omits them.
_REPORT_FIELDS = (
    "endedReason",
    "cost",
    "costs",
    "costBreakdown",
    "startedAt",
    "endedAt",
    "durationMs",
    "durationSeconds",
    "customer",
    "phoneNumber",
    "assistant",
    "destination",
    "transcript",
    "recordingUrl",
    "stereoRecordingUrl",
    "summary",
    "messages",
)


def _end_of_call_call(message: dict[str, Any]) -> dict[str, Any]:
    """The Call an end-of-call-report describes: its `call`, completed by the report's own fields."""
    call = dict(_dict(message.get("call")))
    for key in _REPORT_FIELDS:
        if message.get(key) is not None and message[key] != {}:
            call[key] = message[key]
    for key in ("analysis", "artifact"):  # the report's, over whatever the call had captured
        if isinstance(message.get(key), dict):
            call[key] = {**_dict(call.get(key)), **message[key]}
    if not call.get("assistantId"):  # a transient assistant (or a call holding only its id)
        call["assistantId"] = _dict(call.get("assistant")).get("id")
    # The report is sent once the call is over, whatever status the embedded call was captured with.
    call["status"] = "ended"
    return call


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _same(a: str, b: str) -> bool:
    return _parse(a) == _parse(b)


def _later(a: str, b: str) -> bool:
    return _parse(a) > _parse(b)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _minus_overlap(value: str | None) -> str | None:
    if value is None:
        return None
    return (_parse(value) - _OVERLAP).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
