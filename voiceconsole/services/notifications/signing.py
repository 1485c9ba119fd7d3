"""Outbound webhook bodies and signatures (DESIGN.md §6).

Two signatures ride on every request so receivers can pick either:
- `X-VoiceConsole-Signature`: lowercase hex HMAC-SHA256 of the raw body, keyed with the whole
  `whsec_…` secret string as UTF-8 (what a reader of our public docs does). The body holds the
  timestamp, so the signature covers it; `X-VoiceConsole-Timestamp` repeats it.
- Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`), computed by the
  `standardwebhooks` library itself, so the standard verifiers accept it by construction.

During the 24 hours after a secret rotation both secrets sign: the previous one's hex signature
goes in `X-VoiceConsole-Signature-Previous`, and `webhook-signature` lists both, as the Standard
Webhooks specification provides for rotation.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import Webhook


def iso_millis(moment: datetime) -> str:
    """`2026-02-12T14:30:00.000Z`, the published timestamp format."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def webhook_body(*, event_id: str, event_type: str, timestamp: datetime, data: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent; the same event id on every attempt."""
    body = {"id": event_id, "event": event_type, "timestamp": iso_millis(timestamp), "data": data}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def hex_signature(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_headers(
    body: bytes, *, event_id: str, event_type: str, timestamp: datetime, secret: str, previous_secret: str | None = None
) -> dict[str, str]:
    """Every header a signed delivery carries (content type included)."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "VoiceConsole-Webhooks/1",
        "X-VoiceConsole-Event": event_type,
        "X-VoiceConsole-Timestamp": iso_millis(timestamp),
        "X-VoiceConsole-Signature": hex_signature(body, secret),
        "webhook-id": event_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
    }
    text = body.decode()
    signatures = [Webhook(secret).sign(event_id, timestamp, text)]
    if previous_secret:
        headers["X-VoiceConsole-Signature-Previous"] = hex_signature(body, previous_secret)
        signatures.append(Webhook(previous_secret).sign(event_id, timestamp, text))
    headers["webhook-signature"] = " ".join(signatures)
    return headers
