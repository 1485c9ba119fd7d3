"""One interface over the three platforms' HTTP APIs and webhooks (DESIGN.md §8).

A `Connector` lists agents, walks calls page by page from a cursor (with the platform's own
pagination), fetches one call, and verifies and parses the platform's inbound webhooks. Every
platform quirk stays in the platform's module (`retell.py`, `vapi.py`, `elevenlabs.py`): the
mapping functions at the top, the connector class below them.

HTTP: httpx with timeouts; retries with exponential backoff on 429 and 5xx (and on connection
errors) honouring `Retry-After`, through httpx-retries' `RetryTransport`. A request that must not be sent
twice (placing an outbound call: a 5xx may come after the call was placed) opts out with
`_request(..., retry=False)`, which sends it once through a second client without that transport. A 401/403 raises
`PlatformAuthError`. The API key lives only in the client's default headers: it never appears
in an exception message, a repr or a log line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from httpx_retries import Retry, RetryTransport

from voiceconsole.platforms.base import PLATFORM_NAMES, AgentRecord, CallRecord
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)

# Read-only endpoints only, so retrying any method is safe (Retell lists with POST).
_RETRY_METHODS = ("GET", "POST", "HEAD", "OPTIONS")
_RETRY_STATUSES = (429, 500, 502, 503, 504)
ACTIVITY_SAMPLE = 1000  # calls counted at most per agent by `count_recent_calls`


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


class PlatformError(Exception):
    """A platform request failed. Messages never contain credentials."""

    def __init__(self, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class PlatformAuthError(PlatformError):
    """The platform refused the API key (HTTP 401 or 403)."""


class PlatformUnavailable(PlatformError):
    """The platform could not be reached, or kept failing after every retry."""


class WebhookVerificationError(Exception):
    """An inbound webhook's signature, secret or timestamp is missing or wrong."""


# --------------------------------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class CallPage:
    """One page of calls, and the cursor to resume from once this page is stored."""

    records: list[CallRecord]
    cursor: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard a connector retries 429/5xx and connection errors before giving up.

    `retries` is the number of retries after the first attempt; the wait is
    `backoff_s * 2**attempt` (with jitter), or the platform's `Retry-After`, each capped at
    `max_backoff_s`; `max_total_wait_s` caps the sum of the waits for one request.
    """

    retries: int = 4
    backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    max_total_wait_s: float = 120.0
    timeout_s: float = 30.0
    connect_timeout_s: float = 10.0

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        s = get_settings()
        return cls(
            retries=s.platform_retries,
            backoff_s=s.platform_backoff_s,
            max_backoff_s=s.platform_max_backoff_s,
            max_total_wait_s=max(s.platform_max_backoff_s * 4, 1.0),
            timeout_s=s.platform_timeout_s,
        )

    def retry(self) -> Retry:
        return Retry(
            total=self.retries,
            backoff_factor=self.backoff_s,
            max_backoff_wait=self.max_backoff_s,
            total_timeout=self.max_total_wait_s,
            respect_retry_after_header=True,
            allowed_methods=_RETRY_METHODS,
            status_forcelist=_RETRY_STATUSES,
        )


@dataclass(slots=True)
class OpenCalls:
    """Calls seen unfinished (still running, or analysis not in yet), re-fetched at the next pass.

    Kept in the cursor as {call id: start epoch seconds}; calls older than a day are dropped so a
    call that never finishes cannot stay in the cursor for ever.
    """

    ids: dict[str, float] = field(default_factory=dict)
    max_age_s: float = 86400.0
    limit: int = 1000

    @classmethod
    def from_cursor(cls, cursor: dict[str, Any] | None) -> OpenCalls:
        return cls(ids=dict((cursor or {}).get("open") or {}))

    def note(self, record: CallRecord, is_open: bool) -> None:
        if is_open:
            started = record.started_at.timestamp() if record.started_at else time.time()
            if time.time() - started < self.max_age_s:
                self.ids[record.platform_call_id] = started
        else:
            self.ids.pop(record.platform_call_id, None)

    def dump(self) -> dict[str, float]:
        newest = sorted(self.ids.items(), key=lambda kv: kv[1], reverse=True)[: self.limit]
        return dict(newest)


# --------------------------------------------------------------------------------------------------
# The interface
# --------------------------------------------------------------------------------------------------


class Connector(ABC):
    """One platform account, reached with its API key (and, for tests and the simulator, a base URL)."""

    platform: str = ""
    default_base_url: str = ""
    page_size: int = 100
    max_page_size: int = 100
    signature_window_s: float = 5 * 60  # how old a signed webhook may be (each platform sets its own)

    def __init__(
        self,
        api_key: str,
        base_url: str | None = None,
        *,
        retry: RetryPolicy | None = None,
        page_size: int | None = None,
    ):
        if not api_key:
            raise ValueError("an API key is required")
        self.__api_key = api_key  # name-mangled and left out of repr: never printed
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.retry_policy = retry or RetryPolicy.from_settings()
        if page_size is None:
            page_size = get_settings().platform_page_size
        if page_size is not None:
            self.page_size = max(1, min(page_size, self.max_page_size))
        self._client: httpx.Client | None = None
        self._client_once: httpx.Client | None = None  # no retrying transport: see `_request(retry=False)`

    def __repr__(self) -> str:
        return f"<{type(self).__name__} base_url={self.base_url!r}>"

    @property
    def name(self) -> str:
        return PLATFORM_NAMES.get(self.platform, self.platform)

    # -- what each platform implements ------------------------------------------------------------

    @abstractmethod
    def list_agents(self) -> list[AgentRecord]:
        """Every (voice) agent of the account, with prompt, model and voice where the platform has them."""

    @abstractmethod
    def list_calls(self, cursor: dict[str, Any] | None = None) -> Iterator[CallPage]:
        """Calls new or changed since `cursor` (None: all), one page at a time, with full transcripts.

        Each page's `cursor` resumes right after that page; the last page's cursor starts the next
        incremental pass. Calls may repeat across pages and passes: storing them is an upsert.
        """

    @abstractmethod
    def list_agent_calls(self, platform_agent_id: str) -> Iterator[CallPage]:
        """Every call of one agent, its whole history, one page at a time, with full transcripts: what is
        imported when an agent becomes monitored (plan limits). Each page's `cursor` tells how far the walk
        got; a walk that stops is started over (storing is an upsert)."""

    @abstractmethod
    def count_recent_calls(self, platform_agent_id: str, since: datetime) -> int:
        """How many calls the agent started since `since`, from one cheap listing request: exact up to
        `ACTIVITY_SAMPLE` (or the platform's page size), at least that many beyond. Ranks a new account's
        agents by activity before any of their calls is stored."""

    @abstractmethod
    def get_call(self, call_id: str) -> CallRecord:
        """One call with its transcript."""

    @abstractmethod
    def verify_webhook(self, headers: Mapping[str, str], body: bytes, secret: str) -> str:
        """Raise WebhookVerificationError unless the raw body is signed by the platform with `secret`; else
        return what identifies this delivery for replay protection (see `delivery_identity`)."""

    @abstractmethod
    def parse_webhook(self, body: bytes) -> CallRecord | None:
        """The call a finished-call webhook carries; None for event types we do not store."""

    @staticmethod
    @abstractmethod
    def remap(source: str, raw: dict[str, Any]) -> CallRecord:
        """Map a stored raw payload again (`CallRecord.raw` with its `raw_source`), as the mapping of
        today reads it: `voiceconsole calls remap` re-derives stored calls without asking the platform.
        ValueError for a source this platform never produces."""

    @abstractmethod
    def check_key(self) -> None:
        """One cheap authenticated request: PlatformAuthError if the platform refuses the key,
        PlatformError if it cannot be asked. Used before a re-entered key replaces a working one."""

    # -- HTTP ---------------------------------------------------------------------------------------

    def _auth_headers(self, api_key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_key}"}

    @property
    def http(self) -> httpx.Client:
        """The HTTP client, created on first use (verifying a webhook needs none)."""
        if self._client is None:
            self._client = self._make_client(RetryTransport(retry=self.retry_policy.retry()))
        return self._client

    @property
    def http_once(self) -> httpx.Client:
        """The same client without the retrying transport: each request is sent exactly once."""
        if self._client_once is None:
            self._client_once = self._make_client(httpx.HTTPTransport())
        return self._client_once

    def _make_client(self, transport: httpx.BaseTransport) -> httpx.Client:
        policy = self.retry_policy
        return httpx.Client(
            base_url=self.base_url,
            headers={
                **self._auth_headers(self.__api_key),
                "Accept": "application/json",
                "User-Agent": "VoiceConsole/1.0",
            },
            timeout=httpx.Timeout(policy.timeout_s, connect=policy.connect_timeout_s),
            transport=transport,
            follow_redirects=False,
        )

    def _request(
        self, method: str, path: str, *, timeout: float | None = None, retry: bool = True, **kwargs: Any
    ) -> Any:
        """Send one request and return its JSON, or raise a PlatformError. The transport retries 429/5xx and
        connection errors unless `retry=False`: then the request is sent once, whatever happens (for requests
        that are not safe to repeat, such as placing a call)."""
        extra: dict[str, Any] = (
            {} if timeout is None else {"timeout": httpx.Timeout(timeout, connect=self.retry_policy.connect_timeout_s)}
        )
        retries = self.retry_policy.retries if retry else 0
        try:
            response = (self.http if retry else self.http_once).request(method, path, **kwargs, **extra)
        except httpx.TimeoutException:
            raise PlatformUnavailable(f"{self.name} did not answer {method} {path} in time") from None
        except httpx.TransportError as exc:
            raise PlatformUnavailable(
                f"Could not reach {self.name} at {self.base_url} ({type(exc).__name__})"
            ) from None
        status = response.status_code
        if status in (401, 403):
            raise PlatformAuthError(
                f"{self.name} rejected the API key (HTTP {status}). Check the key, or create a new one "
                f"in the {self.name} dashboard and reconnect.",
                status_code=status,
            )
        if status == 429:
            raise PlatformUnavailable(
                f"{self.name} kept rate-limiting requests (HTTP 429) after {retries} retries",
                status_code=status,
            )
        if status >= 500:
            raise PlatformUnavailable(
                f"{self.name} answered HTTP {status} for {method} {path} after {retries} retries",
                status_code=status,
            )
        if status >= 400:
            raise PlatformError(f"{self.name} answered HTTP {status} for {method} {path}", status_code=status)
        try:
            return response.json()
        except ValueError:
            raise PlatformError(
                f"{self.name} sent a response that is not JSON for {method} {path}", status_code=status
            ) from None

    def close(self) -> None:
        for client in (self._client, self._client_once):
            if client is not None:
                client.close()
        self._client = self._client_once = None

    def __enter__(self) -> Connector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------------------------------
# Webhook helpers shared by the platforms
# --------------------------------------------------------------------------------------------------


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by case-insensitive name (works for plain dicts and Starlette's Headers)."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def hmac_sha256_hex(key: str | bytes, message: bytes) -> str:
    return hmac.new(key.encode() if isinstance(key, str) else key, message, hashlib.sha256).hexdigest()


HMAC_ALGORITHMS = ("sha256", "sha512", "sha1")


def secret_keys(secret: str) -> list[bytes]:
    """The keys a shared secret may stand for: its own bytes and, when it is valid base64, the decoded
    bytes (an HMAC credential with `secretIsBase64` signs with the decoded secret)."""
    keys = [secret.encode()]
    try:
        decoded = base64.b64decode(secret.strip(), validate=True)
    except (binascii.Error, ValueError):
        return keys
    if decoded and decoded not in keys:
        keys.append(decoded)
    return keys


def signature_matches(given: str, digests: list[bytes]) -> bool:
    """Whether a signature header value carries one of `digests`, hex (any case) or base64 (with or
    without padding) encoded, after any prefix ("sha256=", "v1=", …). Every candidate is compared in
    constant time, and all of them are compared whatever matched, so timing tells nothing."""
    given = given.strip()
    if not given:
        return False
    matched = False
    for digest in digests:
        b64 = base64.b64encode(digest).decode()
        for expected, case_blind in ((digest.hex(), True), (b64, False), (b64.rstrip("="), False)):
            tail = given[-len(expected) :] if len(given) >= len(expected) else given
            matched |= equal(tail.lower() if case_blind else tail, expected)
    return matched


def delivery_identity(body: bytes, timestamp: int | None = None) -> str:
    """What a signed delivery is, whatever the spelling of its signature header: the signed timestamp and
    the body. A platform's retry is signed afresh (a new timestamp) and passes; the same delivery sent
    again, its header rewritten (case, spacing, prefixes, extra parts), is the same delivery. Without a
    timestamp (a static secret signs nothing) the body alone identifies it."""
    digest = hashlib.sha256(body).hexdigest()
    return digest if timestamp is None else f"{timestamp}:{digest}"


def check_timestamp(timestamp_s: float, window_s: float, *, now: float | None = None) -> None:
    if abs((time.time() if now is None else now) - timestamp_s) > window_s:
        raise WebhookVerificationError("webhook timestamp is outside the allowed window")


def equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
