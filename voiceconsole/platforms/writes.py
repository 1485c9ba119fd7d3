"""Requests that change a platform account (the Agent Builder's writes, outbound dials): one request through the
account's `Connector`, the platform's refusal turned into `PlatformRejected` naming our field.

The connector's `_request` keeps timeouts, retries (429/5xx, unless `retry=False`) and auth errors as in sync;
here a 4xx other than 401/403/429 becomes `PlatformRejected(field, message)`, with the platform's own message and,
when it names a platform field in `error_fields`, our field for it.
"""

from __future__ import annotations

import json as jsonlib
import re
from collections.abc import Generator
from typing import Any

import httpx

from voiceconsole.platforms.connector import Connector, PlatformAuthError, PlatformError

ErrorFields = tuple[tuple[str, str], ...]  # (platform field as in its messages, ours); the first found wins


class PlatformRejected(PlatformError):
    """The platform refused what we sent (HTTP 4xx): `message` is the platform's own words, `field` our spec's
    field it is about ("voice_id", "llm.temperature", "tools"), or None when it cannot be told."""

    def __init__(self, field: str | None, message: str, *, status_code: int | None = None):
        super().__init__(message, status_code=status_code)
        self.field = field


class Observe(httpx.Auth):
    """Sees the final response of one request (after the transport's retries) without changing it: `_request`
    keeps a 4xx body and an empty 2xx body to itself, and the builder needs both."""

    requires_response_body = True

    def __init__(self) -> None:
        self.response: httpx.Response | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.response = yield request


def field_named(message: str, error_fields: ErrorFields, *, after_dot: bool = True) -> str | None:
    """Our field a platform's error message is about, if it names one we map. `after_dot=False`: a name preceded
    by "." (a nested path such as "override.to_number") does not count."""
    before = "A-Za-z0-9_" if after_dot else "A-Za-z0-9_."
    for name, ours in error_fields:
        if re.search(rf"(?<![{before}]){re.escape(name)}(?![A-Za-z0-9_])", message):
            return ours
    return None


def send(
    connector: Connector,
    method: str,
    path: str,
    *,
    json: Any = None,
    params: dict[str, Any] | None = None,
    error_fields: ErrorFields = (),
    after_dot: bool = True,
    missing_ok: bool = False,
    retry: bool = True,
) -> Any:
    """The parsed JSON answer; None for an empty success (or, with `missing_ok`, a 404)."""
    seen = Observe()
    kwargs: dict[str, Any] = {"auth": seen, "retry": retry}
    if json is not None:
        kwargs["json"] = json
    if params:
        kwargs["params"] = params
    try:
        return connector._request(method, path, **kwargs)
    except PlatformError as exc:
        status = exc.status_code or 0
        response = seen.response
        if 200 <= status < 300 and response is not None and not response.content.strip():
            return None  # publish and delete answer with no body
        if missing_ok and status == 404:
            return None
        if 400 <= status < 500 and status != 429 and not isinstance(exc, PlatformAuthError):
            message = platform_message(response) or exc.message
            field = field_named(message, error_fields, after_dot=after_dot)
            raise PlatformRejected(field, message, status_code=status) from None
        raise


def platform_message(response: httpx.Response | None) -> str | None:
    """The error message in a platform's error body: Retell `{"message"}` (or `{"error_message"}`), Vapi
    `{"message": str | [str]}`, ElevenLabs `{"detail": {"message"}}` or `{"detail": [{"loc", "msg"}]}`."""
    if response is None:
        return None
    try:
        body = response.json()
    except (ValueError, jsonlib.JSONDecodeError):
        text = response.text.strip()
        return text[:500] or None
    if not isinstance(body, dict):
        return None
    detail = body.get("detail")
    if isinstance(detail, dict):
        return str(detail.get("message") or detail)
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc") or [] if p not in ("body", "query"))
                parts.append(f"{loc}: {item.get('msg')}" if loc else str(item.get("msg")))
        return "; ".join(parts) or None
    if isinstance(detail, str):
        return detail
    message = body.get("message") or body.get("error_message") or body.get("error")
    if isinstance(message, list):
        return "; ".join(str(m) for m in message)
    return None if message is None else str(message)
