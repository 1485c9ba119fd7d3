"""Retell outbound calls: `POST /v2/create-phone-call` (retell-sdk `client.call.create_phone_call`).

Sent: `from_number`, `to_number`, `override_agent_id`, `retell_llm_dynamic_variables`, `metadata` (our lead and
attempt ids), `idempotency_key` (the attempt id: Retell answers a repeat within an hour with the call already
placed), and for a voicemail behaviour `agent_override.agent.voicemail_option` (`static_text` with the message, or
`hangup`), as the Agent Builder writes it. The answer is the call, `call_status: "registered"`.

Reconcile: `POST /v3/list-calls` filtered by `agent` and `to_number` (newest first), matching
`metadata.attempt_id` in the items (list items carry `metadata`). Calls that never connected have no
`start_timestamp`, so no time filter is used (it would hide them; `since` is not needed): a few calls per lead
and agent stay cheap to scan, at most `SCAN_LIMIT`. Retell also filters on `metadata` keys
(`filter_criteria.metadata`, SDK ≥ 6) in one request; the simulator does not serve that filter yet, so the scan
is used everywhere.

Outcome: `call_analysis.in_voicemail` true → voicemail; else `disconnection_reason` by `REASONS` (every value of
the SDK's enum); an unknown value → answered if the call started, else failed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from voiceconsole.platforms.base import CallRecord
from voiceconsole.platforms.outbound.base import (
    DialRequest,
    DialResult,
    OutboundDialer,
    Outcome,
    OutcomeKind,
    metadata_value,
    raw_of,
)

# disconnection_reason → our outcome (retell-sdk 6.x `PhoneCallResponse.disconnection_reason`).
REASONS: dict[str, OutcomeKind] = {
    # someone answered and the call ran its course (however it ended)
    "user_hangup": "answered",
    "agent_hangup": "answered",
    "user_requested_dnc": "answered",
    "user_requested_callback": "answered",
    "call_transfer": "answered",
    "transfer_bridged": "answered",
    "transfer_cancelled": "answered",
    "inactivity": "answered",
    "max_duration_reached": "answered",
    "scam_detected": "answered",
    "manual_stopped": "answered",
    "call_take_over": "answered",
    # a machine answered
    "voicemail_reached": "voicemail",
    "ivr_reached": "no_answer",  # a phone menu, no person: try again like an unanswered call
    # nobody answered / the line was busy or the callee declined
    "dial_no_answer": "no_answer",
    "dial_busy": "busy",
    "user_declined": "busy",
    # the call could not be made or broke
    "dial_failed": "failed",
    "invalid_destination": "failed",
    "telephony_provider_permission_denied": "failed",
    "telephony_provider_unavailable": "failed",
    "sip_routing_error": "failed",
    "marked_as_spam": "failed",
    "network_blocked": "failed",
    "concurrency_limit_reached": "failed",
    "no_concurrency_fallback": "failed",
    "no_valid_payment": "failed",
    "credit_exhausted": "failed",
    "budget_reached": "failed",
    "registered_call_timeout": "failed",
    "error_llm_websocket_open": "failed",
    "error_llm_websocket_lost_connection": "failed",
    "error_llm_websocket_runtime": "failed",
    "error_llm_websocket_corrupt_payload": "failed",
    "error_no_audio_received": "failed",
    "error_asr": "failed",
    "error_retell": "failed",
    "error_unknown": "failed",
    "error_user_not_joined": "failed",
}
_OVER = ("ended", "not_connected", "error")
SCAN_LIMIT = 1000  # calls looked at, at most, to reconcile one attempt


class RetellDialer(OutboundDialer):
    platform = "retell"
    error_fields = (
        ("to_number", "to_number"),
        ("from_number", "from_number"),
        ("override_agent_id", "platform_agent_id"),
        ("agent_id", "platform_agent_id"),
        ("retell_llm_dynamic_variables", "dynamic_variables"),
        ("metadata", "metadata"),
    )

    def dial(self, request: DialRequest) -> DialResult:
        call = self._send("POST", "/v2/create-phone-call", json=self.body(request), retry=False)
        return DialResult(str(call["call_id"]), str(call.get("call_status") or "registered"), call)

    @staticmethod
    def body(request: DialRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "from_number": request.from_number,
            "to_number": request.to_number,
            "override_agent_id": request.platform_agent_id,
            "metadata": dict(request.metadata),
            "idempotency_key": request.attempt_id,
        }
        if request.dynamic_variables:
            body["retell_llm_dynamic_variables"] = dict(request.dynamic_variables)
        if request.voicemail is not None:
            if request.voicemail.action == "leave_message":
                action = {"type": "static_text", "text": request.voicemail.message}
            else:
                action = {"type": "hangup"}
            body["agent_override"] = {"agent": {"voicemail_option": {"action": action}}}
        return body

    def find_call_by_metadata(
        self,
        attempt_id: str,
        *,
        platform_agent_id: str | None = None,
        to_number: str | None = None,
        since: datetime | None = None,
    ) -> str | None:
        criteria: dict[str, Any] = {}
        if platform_agent_id:
            criteria["agent"] = [{"agent_id": platform_agent_id}]
        if to_number:
            criteria["to_number"] = {"op": "eq", "type": "string", "value": to_number}
        body: dict[str, Any] = {"limit": 100, "sort_order": "descending", "filter_criteria": criteria}
        seen = 0
        while seen < SCAN_LIMIT:
            page = self._send("POST", "/v3/list-calls", json=body)
            items = page.get("items") or []
            for item in items:
                if metadata_value(item.get("metadata"), "attempt_id") == attempt_id:
                    return str(item["call_id"])
            seen += len(items)
            if not page.get("has_more") or not page.get("pagination_key") or not items:
                return None
            body = {**body, "pagination_key": page["pagination_key"]}
        return None

    def outcome(self, call: CallRecord | dict[str, Any]) -> Outcome:
        raw = raw_of(call)
        if isinstance(call, CallRecord):
            reason, status, started = call.end_reason, call.platform_status, call.started_at is not None
        else:
            reason, status, started = (
                raw.get("disconnection_reason"),
                raw.get("call_status"),
                bool(raw.get("start_timestamp")),
            )
        analysis = raw.get("call_analysis") or {}
        if status not in _OVER and not reason:
            return Outcome(None, None)
        if analysis.get("in_voicemail") is True:
            return Outcome("voicemail", reason)
        if reason in REASONS:
            return Outcome(REASONS[reason], reason)
        return Outcome("answered" if started else "failed", reason)

    def attempt_id(self, call: CallRecord | dict[str, Any]) -> str | None:
        if isinstance(call, CallRecord) and call.metadata:
            return metadata_value(call.metadata, "attempt_id")
        return metadata_value(raw_of(call).get("metadata"), "attempt_id")
