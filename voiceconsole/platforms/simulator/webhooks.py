"""Post-call webhooks exactly as each platform sends them: body shape, raw bytes and signature.

`build_webhook` returns the headers and the raw body; `send_webhook` (or `send_webhook_async`)
posts them. `timestamp` is epoch seconds (default: now); each platform signs it in its own unit
(signatures: signing.py). `variants` asks for payload shapes real senders produce now and then
(`WEBHOOK_VARIANTS`).

- Retell: `{"event": "call_started"|"call_ended"|"call_analyzed"|"transcript_updated", "call": {...}}`,
  header `x-retell-signature`; Retell signs with the account's API key, so `secret` is the Retell API
  key. call_started carries only basic fields; call_ended everything except `call_analysis`;
  call_analyzed the full call. Variant "stale_status": the call object of call_ended / call_analyzed
  still says `call_status: "registered"` (captured before the status moved on).
- Vapi: `{"message": {"type": "end-of-call-report", "timestamp": <ms>, "call": {...}, ...}}` (or
  `"type": "status-update"`). The end-of-call report carries on the message `endedReason`, `cost`,
  `costs[]`, `costBreakdown`, `artifact`, `analysis`, `startedAt`, `endedAt`, `durationMs` /
  `durationSeconds` / `durationMinutes` and, repeated from the artifact and analysis as Vapi still
  does, `transcript`, `recordingUrl`, `stereoRecordingUrl`, `summary` and `messages`; `message.call`
  is the call record without artifact and analysis: merge them when mapping. A call that never left
  the queue has no `startedAt` / `endedAt`. Variants: "call_id_only" (`message.call` is `{"id"}`
  alone), "no_cost_total" (`costs[]` but no `cost` and no `costBreakdown`, on the message or the
  call). Auth: `vapi_auth` and, for "hmac", `vapi_hmac` (a `VapiHmac` or Vapi's plan JSON).
- ElevenLabs: `{"type": "post_call_transcription", "event_timestamp": <s>, "data": {...conversation...}}`
  or `"call_initiation_failure"` with `data: {agent_id, conversation_id, failure_reason: "busy" |
  "no-answer" | "unknown", metadata: {type: "twilio" | "sip", body: {...}}}`, the body being what the
  telephony provider reported (Twilio's status-callback fields; SIP status code and reason).
  Header `ElevenLabs-Signature`.

Bodies are compact UTF-8 JSON (non-ASCII kept, like the platforms' Node/Python senders); verify the
raw bytes, never a re-serialised copy.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx

from voiceconsole.platforms.simulator.signing import VapiAuth, VapiHmac, sign_webhook
from voiceconsole.platforms.simulator.state import check_platform, iso_to_ms, public

__all__ = [
    "DEFAULT_EVENTS",
    "EVENTS",
    "WEBHOOK_VARIANTS",
    "VapiAuth",
    "VapiHmac",
    "build_webhook",
    "send_webhook",
    "send_webhook_async",
    "sign_webhook",
]

DEFAULT_EVENTS = {"retell": "call_analyzed", "vapi": "end-of-call-report", "elevenlabs": "post_call_transcription"}
EVENTS = {
    "retell": ("call_started", "call_ended", "call_analyzed", "transcript_updated"),
    "vapi": ("end-of-call-report", "status-update"),
    "elevenlabs": ("post_call_transcription", "call_initiation_failure"),
}
WEBHOOK_VARIANTS = {
    "retell": ("stale_status",),
    "vapi": ("call_id_only", "no_cost_total"),
    "elevenlabs": (),
}
# What Retell leaves out of call_started: nothing about the call's end is known yet.
_RETELL_NOT_STARTED = (
    "end_timestamp",
    "duration_ms",
    "transcript",
    "transcript_object",
    "transcript_with_tool_calls",
    "recording_url",
    "disconnection_reason",
    "call_cost",
    "latency",
    "call_analysis",
    "llm_token_usage",
)
# Vapi puts these on the message itself; `message.call` is the call record without them.
_VAPI_ON_MESSAGE = ("artifact", "analysis", "messages")
_VAPI_COST_TOTALS = ("cost", "costBreakdown")  # what the "no_cost_total" variant leaves out
# ElevenLabs call_initiation_failure: failure_reason by the conversation's termination reason, and
# what Twilio (CallStatus, SipResponseCode) or a SIP trunk (status code and reason) reports for it.
_EL_FAILURE_REASON = {"Line busy": "busy", "Call not answered": "no-answer"}
_TWILIO_STATUS = {"busy": ("busy", "486"), "no-answer": ("no-answer", "487"), "unknown": ("failed", "500")}
_SIP_STATUS = {
    "busy": (486, "Busy Here"),
    "no-answer": (480, "Temporarily Unavailable"),
    "unknown": (503, "Service Unavailable"),
}


def build_webhook(
    platform: str,
    event: str,
    call: Mapping[str, Any],
    *,
    secret: str,
    timestamp: float | None = None,
    vapi_auth: VapiAuth = "hmac",
    vapi_hmac: Mapping[str, Any] | VapiHmac | None = None,
    variants: Iterable[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> tuple[dict[str, str], bytes]:
    """Headers and raw body of the platform's webhook for `call` (a native call object).

    `variants`: names from `WEBHOOK_VARIANTS[platform]`. `extra` adds fields to Vapi's `message`
    (e.g. `assistant`, `phoneNumber`); other platforms ignore it.
    """
    check_platform(platform)
    if event not in EVENTS[platform]:
        raise ValueError(f"{platform} sends no {event!r} webhook; expected one of {', '.join(EVENTS[platform])}")
    wanted = frozenset(variants)
    unknown = wanted - set(WEBHOOK_VARIANTS[platform])
    if unknown:
        allowed = ", ".join(WEBHOOK_VARIANTS[platform]) or "none"
        raise ValueError(f"{platform} has no webhook variant {', '.join(sorted(unknown))}; expected: {allowed}")
    if not secret:
        raise ValueError("a webhook secret is needed (Retell: the API key)")
    at = time.time() if timestamp is None else float(timestamp)
    call = public(dict(call))
    if platform == "retell":
        body = _retell(event, call, wanted)
    elif platform == "vapi":
        body = _vapi(event, call, int(at * 1000), wanted, extra or {})
    else:
        body = _elevenlabs(event, call, at)
    return sign_webhook(platform, body, secret=secret, timestamp=at, vapi_auth=vapi_auth, vapi_hmac=vapi_hmac), body


def send_webhook(
    url: str,
    platform: str,
    event: str,
    call: Mapping[str, Any],
    *,
    secret: str,
    timestamp: float | None = None,
    vapi_auth: VapiAuth = "hmac",
    vapi_hmac: Mapping[str, Any] | VapiHmac | None = None,
    variants: Iterable[str] = (),
    extra: Mapping[str, Any] | None = None,
    timeout: float = 10.0,
) -> httpx.Response:
    """POST the webhook to `url` and return the response (10 s timeout, like Retell's)."""
    headers, body = build_webhook(
        platform,
        event,
        call,
        secret=secret,
        timestamp=timestamp,
        vapi_auth=vapi_auth,
        vapi_hmac=vapi_hmac,
        variants=variants,
        extra=extra,
    )
    return httpx.post(url, content=body, headers=headers, timeout=timeout)


async def send_webhook_async(
    url: str,
    platform: str,
    event: str,
    call: Mapping[str, Any],
    *,
    secret: str,
    timestamp: float | None = None,
    vapi_auth: VapiAuth = "hmac",
    vapi_hmac: Mapping[str, Any] | VapiHmac | None = None,
    variants: Iterable[str] = (),
    extra: Mapping[str, Any] | None = None,
    timeout: float = 10.0,
) -> httpx.Response:
    headers, body = build_webhook(
        platform,
        event,
        call,
        secret=secret,
        timestamp=timestamp,
        vapi_auth=vapi_auth,
        vapi_hmac=vapi_hmac,
        variants=variants,
        extra=extra,
    )
    async with httpx.AsyncClient(timeout=timeout) as client:
        return await client.post(url, content=body, headers=headers)


def _dump(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


# --- Retell -----------------------------------------------------------------------------------------


def _retell(event: str, call: dict[str, Any], wanted: frozenset[str]) -> bytes:
    if event == "call_started":
        call = {k: v for k, v in call.items() if k not in _RETELL_NOT_STARTED} | {"call_status": "ongoing"}
    elif event != "call_analyzed":
        call.pop("call_analysis", None)
    if "stale_status" in wanted and event in ("call_ended", "call_analyzed"):
        call["call_status"] = "registered"
    return _dump({"event": event, "call": call})


# --- Vapi -------------------------------------------------------------------------------------------


def _vapi(event: str, call: dict[str, Any], ms: int, wanted: frozenset[str], extra: Mapping[str, Any]) -> bytes:
    record = {k: v for k, v in call.items() if k not in _VAPI_ON_MESSAGE}
    message: dict[str, Any] = {"type": event, "timestamp": ms}
    if event == "status-update":
        message["status"] = call.get("status")
        if call.get("status") == "ended":
            message["endedReason"] = call.get("endedReason")
    else:
        message.update(_vapi_report(call))
    if "no_cost_total" in wanted:
        for key in _VAPI_COST_TOTALS:
            message.pop(key, None)
            record.pop(key, None)
    message["call"] = {"id": call["id"]} if "call_id_only" in wanted else record
    if call.get("customer"):
        message["customer"] = call["customer"]
    message.update(extra)
    return _dump({"message": message})


def _vapi_report(call: dict[str, Any]) -> dict[str, Any]:
    """The end-of-call report's own fields (everything but `call`, `customer` and the extras)."""
    artifact, analysis = call.get("artifact") or {}, call.get("analysis") or {}
    report: dict[str, Any] = {
        "endedReason": call.get("endedReason"),
        "cost": call.get("cost"),
        "costs": call.get("costs"),
        "costBreakdown": call.get("costBreakdown"),
        "artifact": artifact,
        "analysis": analysis,
        "startedAt": call.get("startedAt"),
        "endedAt": call.get("endedAt"),
        # Older report fields Vapi still repeats at the top of the message.
        "transcript": artifact.get("transcript"),
        "recordingUrl": artifact.get("recordingUrl"),
        "stereoRecordingUrl": artifact.get("stereoRecordingUrl"),
        "summary": analysis.get("summary"),
        "messages": artifact.get("messages"),
    }
    if call.get("startedAt") and call.get("endedAt"):
        duration_ms = iso_to_ms(call["endedAt"]) - iso_to_ms(call["startedAt"])
        report.update(
            durationMs=duration_ms,
            durationSeconds=round(duration_ms / 1000, 3),
            durationMinutes=round(duration_ms / 60000, 4),
        )
    return {k: v for k, v in report.items() if v is not None}


# --- ElevenLabs -------------------------------------------------------------------------------------


def _elevenlabs(event: str, call: dict[str, Any], at: float) -> bytes:
    data = _el_initiation_failure(call, at) if event == "call_initiation_failure" else call
    return _dump({"type": event, "event_timestamp": int(at), "data": data})


def _el_initiation_failure(call: dict[str, Any], at: float) -> dict[str, Any]:
    """The dial behind `call` failing: why, and what the telephony provider reported."""
    meta = call.get("metadata") or {}
    phone = meta.get("phone_call") or {}
    reason = _EL_FAILURE_REASON.get(meta.get("termination_reason") or "", "unknown")
    own, other = phone.get("agent_number"), phone.get("external_number")
    provider: dict[str, Any]
    if phone.get("type") == "sip_trunking":
        code, text = _SIP_STATUS[reason]
        body = {"sip_status_code": code, "sip_status": text, "call_sid": phone.get("call_sid")}
        provider = {"type": "sip", "body": body | {"from_number": own, "to_number": other}}
    elif phone:
        status, sip_code = _TWILIO_STATUS[reason]
        account = "AC" + hashlib.sha256(str(phone.get("phone_number_id")).encode()).hexdigest()[:32]
        body = {
            "AccountSid": account,
            "ApiVersion": "2010-04-01",
            "CallSid": phone.get("call_sid"),
            "CallStatus": status,
            "Direction": "outbound-api",
            "From": own,
            "Caller": own,
            "To": other,
            "Called": other,
            "CallDuration": "0",
            "Duration": "0",
            "SipResponseCode": sip_code,
            "CallbackSource": "call-progress-events",
            "SequenceNumber": "0",
            "Timestamp": format_datetime(datetime.fromtimestamp(int(at), UTC)),
        }
        provider = {"type": "twilio", "body": body}
    else:  # a web conversation: no telephony provider to report anything
        provider = {"type": "twilio", "body": {}}
    return {
        "agent_id": call.get("agent_id"),
        "conversation_id": call.get("conversation_id"),
        "failure_reason": reason,
        "metadata": provider,
    }
