"""Vapi outbound calls: `POST /call` (vapi-server-sdk `client.calls.create`).

Sent: `assistantId`, `phoneNumberId` (our `from_number`), `customer: {number}`, and `assistantOverrides` with
`variableValues` (the dynamic variables) and `metadata` (our lead and attempt ids). The SDK's CreateCallDto has no
top-level `metadata` (Vapi's validation refuses unknown properties), so the ids ride in
`assistantOverrides.metadata`, which the call keeps and returns (`call.assistantOverrides.metadata`). A voicemail
behaviour "leave_message" sets `assistantOverrides.voicemailMessage`; "hang_up" sends nothing (Vapi has no per-call
switch for it: the assistant's own setting applies). The answer is the Call, `status: "queued"`. Vapi has no
idempotency key: a dial with an unknown result must be reconciled before it is repeated.

Reconcile: `GET /call?assistantId=…&createdAtGe=…` (newest first, paged with `createdAtLt`), matching
`assistantOverrides.metadata.attempt_id` (or a top-level `metadata.attempt_id`) and, when given, `customer.number`.

Outcome: `endedReason` by `REASONS`, then by prefix (`pipeline-error-`, `call.start.error-`,
`call.in-progress.error-`, … → failed): Vapi has about 530 values, most of them errors. An unknown value → answered
if the call started, else failed. A call not `ended` has no outcome yet.
"""

from __future__ import annotations

from datetime import UTC, datetime
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

# endedReason → our outcome: the values that are not errors (vapi-server-sdk 1.9 `CallEndedReason`).
REASONS: dict[str, OutcomeKind] = {
    "customer-ended-call": "answered",
    "customer-ended-call-before-warm-transfer": "answered",
    "customer-ended-call-after-warm-transfer-attempt": "answered",
    "assistant-ended-call": "answered",
    "assistant-said-end-call-phrase": "answered",
    "assistant-ended-call-with-hangup-task": "answered",
    "assistant-ended-call-after-message-spoken": "answered",
    "assistant-forwarded-call": "answered",
    "exceeded-max-duration": "answered",
    "silence-timed-out": "answered",
    "call.in-progress.twilio-completed-call": "answered",
    "call.in-progress.sip-completed-call": "answered",
    "vonage-completed": "answered",
    "call.ending.hook-executed-say": "answered",
    "call.ending.hook-executed-transfer": "answered",
    "call.forwarding.operator-busy": "answered",  # the customer was on the line; the transfer target was busy
    "voicemail": "voicemail",
    "customer-did-not-answer": "no_answer",
    "customer-busy": "busy",
    "twilio-failed-to-connect-call": "failed",
    "twilio-reported-customer-misdialed": "failed",
    "vonage-rejected": "failed",
    "vonage-failed-to-connect-call": "failed",
    "vonage-disconnected": "failed",
    "manually-canceled": "failed",
    "call-deleted": "failed",
    "scheduled-call-deleted": "failed",
    "assistant-not-valid": "failed",
    "assistant-not-found": "failed",
    "assistant-join-timed-out": "failed",
    "worker-shutdown": "failed",
    "customer-did-not-give-microphone-permission": "failed",
    "call-start-error-neither-assistant-nor-server-set": "failed",
}
# Error families, by prefix: the call could not be made, or broke.
FAILED_PREFIXES = (
    "pipeline-error-",
    "pipeline-no-",
    "call.start.error-",
    "call.in-progress.error-",
    "call.ringing.",
    "call.forwarding.",
    "phone-call-provider-",
    "assistant-request-",
    "twilio-",
    "vonage-",
    "sip-",
)
SCAN_LIMIT = 1000  # calls looked at, at most, to reconcile one attempt
_PAGE = 100


class VapiDialer(OutboundDialer):
    platform = "vapi"
    error_fields = (
        ("customer.number", "to_number"),
        ("customer", "to_number"),
        ("phoneNumberId", "from_number"),
        ("Phone Number", "from_number"),
        ("assistantId", "platform_agent_id"),
        ("Assistant", "platform_agent_id"),
        ("variableValues", "dynamic_variables"),
        ("metadata", "metadata"),
    )

    def dial(self, request: DialRequest) -> DialResult:
        call = self._send("POST", "/call", json=self.body(request), retry=False)
        return DialResult(str(call["id"]), str(call.get("status") or "queued"), call)

    @staticmethod
    def body(request: DialRequest) -> dict[str, Any]:
        overrides: dict[str, Any] = {"metadata": dict(request.metadata)}
        if request.dynamic_variables:
            overrides["variableValues"] = dict(request.dynamic_variables)
        if request.voicemail is not None and request.voicemail.action == "leave_message":
            overrides["voicemailMessage"] = request.voicemail.message
        return {
            "assistantId": request.platform_agent_id,
            "phoneNumberId": request.from_number,
            "customer": {"number": request.to_number},
            "assistantOverrides": overrides,
        }

    def find_call_by_metadata(
        self,
        attempt_id: str,
        *,
        platform_agent_id: str | None = None,
        to_number: str | None = None,
        since: datetime | None = None,
    ) -> str | None:
        params: dict[str, Any] = {"limit": _PAGE}
        if platform_agent_id:
            params["assistantId"] = platform_agent_id
        if since is not None:
            params["createdAtGe"] = _iso(since)
        seen = 0
        while seen < SCAN_LIMIT:
            calls = self._send("GET", "/call", params=params)
            if not isinstance(calls, list):
                return None
            for call in calls:
                if to_number and ((call.get("customer") or {}).get("number")) not in (None, to_number):
                    continue
                if self.attempt_id(call) == attempt_id:
                    return str(call["id"])
            seen += len(calls)
            if len(calls) < _PAGE:
                return None
            params = {**params, "createdAtLt": min(str(c["createdAt"]) for c in calls)}
        return None

    def outcome(self, call: CallRecord | dict[str, Any]) -> Outcome:
        raw = raw_of(call)
        if isinstance(call, CallRecord):
            reason, status, started = call.end_reason, call.platform_status, call.started_at is not None
        else:
            reason, status, started = raw.get("endedReason"), raw.get("status"), bool(raw.get("startedAt"))
        if status != "ended" and not reason:
            return Outcome(None, None)
        return Outcome(kind_of(reason, started=started), reason)

    def attempt_id(self, call: CallRecord | dict[str, Any]) -> str | None:
        raw = raw_of(call)
        raw = raw.get("message", raw) if isinstance(raw.get("message"), dict) else raw  # a webhook body
        raw = raw["call"] if isinstance(raw.get("call"), dict) else raw  # a server message: its call
        overrides = raw.get("assistantOverrides") or {}
        found = metadata_value(overrides.get("metadata"), "attempt_id")
        if found is None and isinstance(call, CallRecord):
            found = metadata_value(call.metadata, "attempt_id")
        return found or metadata_value(raw.get("metadata"), "attempt_id")


def kind_of(reason: str | None, *, started: bool) -> OutcomeKind:
    """Our outcome for a Vapi `endedReason` (see the module docstring)."""
    if reason in REASONS:
        return REASONS[reason]
    if reason and reason.startswith(FAILED_PREFIXES):
        return "failed"
    return "answered" if started else "failed"


def _iso(moment: datetime) -> str:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
