"""Vapi: mapping of native Assistant and Call objects onto the common records, and the connector.

Shapes: docs/platform-apis.md §2 (GET /call, GET /assistant, end-of-call-report `call`).
"""

from __future__ import annotations

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
    Direction,
    Role,
    Sentiment,
    Turn,
    require_field,
    to_usd,
    transcript_text,
)
from voiceconsole.platforms.connector import (
    CallPage,
    Connector,
    PlatformAuthError,
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


def map_call(raw: dict[str, Any]) -> CallRecord:
    """Map a Call object (GET /call, GET /call/{id}, or the `call` of a server message)."""
    call_id = _require(raw, "id", "call")
    created_at = _from_iso(raw.get("createdAt"))
    connected_at = _from_iso(raw.get("startedAt"))
    ended_at = _from_iso(raw.get("endedAt"))
    duration_ms = (ended_at - connected_at) // timedelta(milliseconds=1) if connected_at and ended_at else None
    artifact = raw.get("artifact") or {}
    analysis = raw.get("analysis") or {}
    cost = raw.get("cost")
    if cost is None:
        cost = (raw.get("costBreakdown") or {}).get("total")
    turns = [_turn(m) for m in artifact.get("messages") or raw.get("messages") or [] if m.get("role") in _ROLES]
    kind = raw.get("type")
    direction = None if kind is None else _DIRECTIONS.get(kind)
    customer = (raw.get("customer") or {}).get("number")
    own = (raw.get("phoneNumber") or {}).get("number")
    ends = {"inbound": (customer, own), "outbound": (own, customer)}
    from_number, to_number = ends[direction] if direction else (None, None)
    return CallRecord(
        platform="vapi",
        platform_call_id=call_id,
        platform_agent_id=raw.get("assistantId") or None,
        status=_status(raw.get("status"), raw.get("endedReason"), ended_at),
        # A call that never connected has no startedAt; when it was placed is the next best time.
        started_at=connected_at or created_at,
        agent_name=(raw.get("assistant") or {}).get("name"),
        direction=direction,
        from_number=from_number,
        to_number=to_number,
        ended_at=ended_at,
        duration_ms=duration_ms,
        cost_usd=_usd(cost),
        recording_url=_recording_url(raw, artifact),
        transcript=transcript_text(turns) or artifact.get("transcript") or raw.get("transcript") or None,
        turns=turns,
        summary=analysis.get("summary") or raw.get("summary"),
        sentiment=_sentiment(analysis.get("structuredData")),
        successful=parse_success_evaluation(analysis.get("successEvaluation")),
        end_reason=raw.get("endedReason"),
        platform_status=raw.get("status"),
        analysis=analysis,
        metadata=raw.get("metadata") or {},
    )


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
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _usd(value: Any) -> Decimal | None:
    return to_usd(value)


def _status(status: str | None, ended_reason: str | None, ended_at: datetime | None) -> CallStatus:
    if status in _LIVE_STATUSES or (status is None and ended_at is None):
        return "in_progress"
    if status in _BROKEN_STATUSES or _is_error(ended_reason):
        return "error"
    return "ended"


def _is_error(reason: str | None) -> bool:
    return bool(reason and (reason.startswith(_ERROR_PREFIXES) or "-failed-to-connect" in reason))


def _recording_url(raw: dict[str, Any], artifact: dict[str, Any]) -> str | None:
    mono = ((artifact.get("recording") or {}).get("mono") or {}).get("combinedUrl")
    return artifact.get("recordingUrl") or mono or raw.get("recordingUrl")


def _turn(message: dict[str, Any]) -> Turn:
    start = message.get("secondsFromStart")
    end = None
    if start is not None and message.get("time") is not None and message.get("endTime") is not None:
        end = round(start + (message["endTime"] - message["time"]) / 1000, 3)
    return Turn(role=_ROLES[message["role"]], text=_text(message), start=start, end=end)


def _text(message: dict[str, Any]) -> str:
    if message.get("message"):
        return message["message"]
    if message.get("result") is not None:
        return str(message["result"])
    calls = message.get("toolCalls") or []
    return ", ".join((c.get("function") or {}).get("name", "") for c in calls)


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

    def _walk(
        self, path: str, *, updated_after: str | None, state: dict[str, Any] | None
    ) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any] | None]]:
        """Yield (new items, state to resume after them); the state is None on the last page."""
        le = (state or {}).get("le")
        skip = set((state or {}).get("skip") or ())
        strict = bool((state or {}).get("strict"))
        while True:
            params: dict[str, Any] = {"limit": self.page_size}
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
        """HMAC credential: x-vapi-signature = hex(HMAC-SHA256(secret, "{x-timestamp}.{body}")), ±5 min.

        Also accepted, for servers set up the older way: the static `X-Vapi-Secret: <secret>` header,
        or a Bearer credential (`Authorization: Bearer <secret>`), both compared in constant time.
        """
        if not secret:
            raise WebhookVerificationError("no webhook secret is configured for this integration")
        signature = header(headers, "x-vapi-signature") or header(headers, "x-signature")
        if signature:
            timestamp = header(headers, "x-timestamp")
            if not timestamp or not timestamp.strip().isdigit():
                raise WebhookVerificationError("missing or malformed x-timestamp header")
            stamp = int(timestamp.strip())
            check_timestamp(stamp / 1000 if stamp > 10**11 else stamp, self.signature_window_s)  # ms or s
            given = signature.strip().removeprefix("sha256=")
            if not equal(hmac_sha256_hex(secret, timestamp.strip().encode() + b"." + body), given.lower()):
                raise WebhookVerificationError("x-vapi-signature does not match")
            return delivery_identity(body, stamp)
        static = header(headers, "x-vapi-secret")
        if static is None:
            scheme, _, token = (header(headers, "authorization") or "").partition(" ")
            static = token.strip() if scheme.lower() == "bearer" and token.strip() else None
        if static is None:
            raise WebhookVerificationError("missing x-vapi-signature (or X-Vapi-Secret) header")
        if not equal(static, secret):
            raise WebhookVerificationError("X-Vapi-Secret does not match")
        return delivery_identity(body)  # a static secret signs nothing: the body identifies the delivery

    def parse_webhook(self, body: bytes) -> CallRecord | None:
        payload = json.loads(body)
        message = payload.get("message") if isinstance(payload, dict) else None
        if not isinstance(message, dict) or message.get("type") not in _STORED_MESSAGES:
            return None
        return map_call(_end_of_call_call(message))


def _end_of_call_call(message: dict[str, Any]) -> dict[str, Any]:
    """The Call an end-of-call-report describes: its `call`, completed by the report's own fields."""
    call = dict(message.get("call") or {})
    for key in (
        "endedReason",
        "cost",
        "costs",
        "costBreakdown",
        "startedAt",
        "endedAt",
        "analysis",
        "artifact",
        "customer",
    ):
        if message.get(key) is not None:
            call[key] = message[key]
    if message.get("assistant") and not call.get("assistant"):
        call["assistant"] = message["assistant"]
        call.setdefault("assistantId", message["assistant"].get("id"))
    if message.get("phoneNumber") and not call.get("phoneNumber"):
        call["phoneNumber"] = message["phoneNumber"]
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


def _minus_overlap(value: str | None) -> str | None:
    if value is None:
        return None
    return (_parse(value) - _OVERLAP).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
