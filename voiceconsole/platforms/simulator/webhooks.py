"""Post-call webhooks exactly as each platform sends them: body shape, raw bytes and signature.

`build_webhook` returns the headers and the raw body; `send_webhook` (or `send_webhook_async`)
posts them. `timestamp` is epoch seconds (default: now); each platform signs it in its own unit.

- Retell: `{"event": "call_started"|"call_ended"|"call_analyzed"|"transcript_updated", "call": {...}}`,
  header `x-retell-signature: v=<ms>,d=<hex HMAC-SHA256(key=secret, body + str(ms))>`. Retell signs
  with the account's API key, so `secret` is the Retell API key. call_started carries only basic
  fields; call_ended everything except `call_analysis`; call_analyzed the full call.
- Vapi: `{"message": {"type": "end-of-call-report", "timestamp": <ms>, "call": {...}, "artifact",
  "analysis", "endedReason", "startedAt", "endedAt", "cost", "costBreakdown", "customer", ...}}`
  (or `"type": "status-update"`). As in real payloads, the transcript/recording (`artifact`) and
  `analysis` sit on the message, not inside `message.call`: merge them when mapping. Auth depends on
  the credential the user configured (`vapi_auth`): "hmac" (default) sends
  `x-vapi-signature: <hex HMAC-SHA256(secret, f"{ms}.{body}")>` and `x-timestamp: <ms>`;
  "secret" sends the legacy `X-Vapi-Secret: <secret>`; "bearer" sends `Authorization: Bearer <secret>`.
- ElevenLabs: `{"type": "post_call_transcription", "event_timestamp": <s>, "data": {...conversation...}}`
  (or "call_initiation_failure"), header
  `ElevenLabs-Signature: t=<s>,v0=<hex HMAC-SHA256(secret, f"{s}.{body}")>`.

Bodies are compact UTF-8 JSON (non-ASCII kept, like the platforms' Node/Python senders); verify the
raw bytes, never a re-serialised copy.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any, Literal

import httpx

from voiceconsole.platforms.simulator.state import check_platform, public

VapiAuth = Literal["hmac", "secret", "bearer"]
DEFAULT_EVENTS = {"retell": "call_analyzed", "vapi": "end-of-call-report", "elevenlabs": "post_call_transcription"}
EVENTS = {
    "retell": ("call_started", "call_ended", "call_analyzed", "transcript_updated"),
    "vapi": ("end-of-call-report", "status-update"),
    "elevenlabs": ("post_call_transcription", "call_initiation_failure"),
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


def build_webhook(
    platform: str,
    event: str,
    call: Mapping[str, Any],
    *,
    secret: str,
    timestamp: float | None = None,
    vapi_auth: VapiAuth = "hmac",
    extra: Mapping[str, Any] | None = None,
) -> tuple[dict[str, str], bytes]:
    """Headers and raw body of the platform's webhook for `call` (a native call object).

    `extra` adds fields to Vapi's `message` (e.g. `assistant`, `phoneNumber`); other platforms
    ignore it.
    """
    check_platform(platform)
    if event not in EVENTS[platform]:
        raise ValueError(f"{platform} sends no {event!r} webhook; expected one of {', '.join(EVENTS[platform])}")
    if not secret:
        raise ValueError("a webhook secret is needed (Retell: the API key)")
    at = time.time() if timestamp is None else float(timestamp)
    call = public(dict(call))
    if platform == "retell":
        return _retell(event, call, secret, at)
    if platform == "vapi":
        return _vapi(event, call, secret, at, vapi_auth, extra or {})
    return _elevenlabs(event, call, secret, at)


def send_webhook(
    url: str,
    platform: str,
    event: str,
    call: Mapping[str, Any],
    *,
    secret: str,
    timestamp: float | None = None,
    vapi_auth: VapiAuth = "hmac",
    extra: Mapping[str, Any] | None = None,
    timeout: float = 10.0,
) -> httpx.Response:
    """POST the webhook to `url` and return the response (10 s timeout, like Retell's)."""
    headers, body = build_webhook(
        platform, event, call, secret=secret, timestamp=timestamp, vapi_auth=vapi_auth, extra=extra
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
    extra: Mapping[str, Any] | None = None,
    timeout: float = 10.0,
) -> httpx.Response:
    headers, body = build_webhook(
        platform, event, call, secret=secret, timestamp=timestamp, vapi_auth=vapi_auth, extra=extra
    )
    async with httpx.AsyncClient(timeout=timeout) as client:
        return await client.post(url, content=body, headers=headers)


def sign_webhook(
    platform: str, body: bytes, *, secret: str, timestamp: float | None = None, vapi_auth: VapiAuth = "hmac"
) -> dict[str, str]:
    """The headers with which the platform would send `body` (any bytes: tests sign hostile bodies too)."""
    check_platform(platform)
    at = time.time() if timestamp is None else float(timestamp)
    headers = {"content-type": "application/json"}
    if platform == "retell":
        ms = int(at * 1000)
        headers["x-retell-signature"] = f"v={ms},d={_hex_hmac(secret, body + str(ms).encode())}"
    elif platform == "elevenlabs":
        seconds = int(at)
        headers["ElevenLabs-Signature"] = f"t={seconds},v0={_hex_hmac(secret, f'{seconds}.'.encode() + body)}"
    elif vapi_auth == "hmac":
        ms = int(at * 1000)
        headers["x-vapi-signature"] = _hex_hmac(secret, f"{ms}.".encode() + body)
        headers["x-timestamp"] = str(ms)
    elif vapi_auth == "secret":
        headers["X-Vapi-Secret"] = secret
    elif vapi_auth == "bearer":
        headers["Authorization"] = f"Bearer {secret}"
    else:
        raise ValueError("vapi_auth must be 'hmac', 'secret' or 'bearer'")
    return headers


def _dump(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _hex_hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _retell(event: str, call: dict[str, Any], api_key: str, at: float) -> tuple[dict[str, str], bytes]:
    if event == "call_started":
        call = {k: v for k, v in call.items() if k not in _RETELL_NOT_STARTED} | {"call_status": "ongoing"}
    elif event != "call_analyzed":
        call.pop("call_analysis", None)
    body = _dump({"event": event, "call": call})
    return sign_webhook("retell", body, secret=api_key, timestamp=at), body


def _vapi(
    event: str, call: dict[str, Any], secret: str, at: float, auth: VapiAuth, extra: Mapping[str, Any]
) -> tuple[dict[str, str], bytes]:
    ms = int(at * 1000)
    record = {k: v for k, v in call.items() if k not in _VAPI_ON_MESSAGE}
    message: dict[str, Any] = {"type": event, "timestamp": ms}
    if event == "status-update":
        message["status"] = call.get("status")
        if call.get("status") == "ended":
            message["endedReason"] = call.get("endedReason")
    else:
        message.update(_vapi_report(call))
    message["call"] = record
    if call.get("customer"):
        message["customer"] = call["customer"]
    message.update(extra)
    body = _dump({"message": message})
    return sign_webhook("vapi", body, secret=secret, timestamp=at, vapi_auth=auth), body


def _vapi_report(call: dict[str, Any]) -> dict[str, Any]:
    report: dict[str, Any] = {
        "endedReason": call.get("endedReason"),
        "cost": call.get("cost"),
        "costBreakdown": call.get("costBreakdown"),
        "artifact": call.get("artifact") or {},
        "analysis": call.get("analysis") or {},
        "startedAt": call.get("startedAt"),
        "endedAt": call.get("endedAt"),
    }
    return {k: v for k, v in report.items() if v is not None}


def _elevenlabs(event: str, call: dict[str, Any], secret: str, at: float) -> tuple[dict[str, str], bytes]:
    seconds = int(at)
    if event == "call_initiation_failure":
        data = {
            "agent_id": call.get("agent_id"),
            "conversation_id": call.get("conversation_id"),
            "failure_reason": "no-answer",
            "metadata": {"type": "twilio", "body": {}},
        }
    else:
        data = call
    body = _dump({"type": event, "event_timestamp": seconds, "data": data})
    return sign_webhook("elevenlabs", body, secret=secret, timestamp=at), body
