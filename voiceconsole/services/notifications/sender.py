"""Sending notifications: a pump claims due deliveries (`outbox.py`), sends them concurrently and records
every attempt.

A pump (`pump()`, run by the notify jobs) keeps up to MAX_CLAIMED deliveries claimed and up to
MAX_IN_FLIGHT requests in flight over one httpx.AsyncClient, at most PER_CHANNEL_IN_FLIGHT per
channel, each bounded by a 5-second total timeout: a receiver that hangs holds a few slots of its
own channel and nothing else, and while it hangs the pump keeps claiming other channels' work.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import smtplib
import ssl
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

import certifi
import httpx

from voiceconsole.models.types import utcnow
from voiceconsole.services.email import send_email
from voiceconsole.services.notifications.format import discord_message, email_message, slack_message
from voiceconsole.services.notifications.outbox import (
    MAX_CLAIMED,
    PAUSE_AFTER_FAILURES,
    Claimed,
    Outcome,
    Target,
    claim,
    housekeeping,
    record,
)
from voiceconsole.services.notifications.signing import signature_headers, webhook_body
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 50  # requests at once, all channels
PER_CHANNEL_IN_FLIGHT = 4  # requests at once to one channel
REQUEST_TIMEOUT_S = 5.0  # total, per request (DESIGN.md §6)
EMAIL_TIMEOUT_S = 20.0
POLL_S = 0.25  # while requests are in flight, look for newly due work this often
BATCH_WINDOW_S = 0.02  # gather completions this long before writing them
SNIPPET_CHARS = 500
READ_LIMIT = 4096  # bytes of a response body read at most
JSON_HEADERS = {"Content-Type": "application/json", "User-Agent": "VoiceConsole-Notifications/1"}
_EMAIL_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="vc-notify-email")
_URL_RE = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)


@dataclass
class ChannelState:
    consecutive: int
    tripped: bool = False


@dataclass
class PumpStats:
    attempts: int = 0
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    paused: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "skipped": self.skipped,
            "paused": self.paused,
            "seconds": round(self.seconds, 3),
        }


# --------------------------------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------------------------------


def _clean(text: str, target: Target) -> str:
    """An error or snippet without the channel's URL (Slack and Discord URLs are credentials)."""
    if target.url:
        text = text.replace(target.url, target.hint)
    return _URL_RE.sub(target.hint or "[url]", text).replace("\x00", "")[:SNIPPET_CHARS]


def build_request(claimed: Claimed, target: Target, at: datetime) -> tuple[bytes, dict[str, str]]:
    """The exact body and headers of one attempt (webhooks: signed, timestamped now)."""
    if target.kind == "webhook":
        if not target.secret:  # a webhook channel without one is refused before any attempt (outbox._target)
            raise ValueError("the webhook channel has no signing secret")
        body = webhook_body(
            event_id=claimed.event_id, event_type=claimed.event_type, timestamp=at, data=claimed.payload
        )
        return body, signature_headers(
            body,
            event_id=claimed.event_id,
            event_type=claimed.event_type,
            timestamp=at,
            secret=target.secret,
            previous_secret=target.previous_secret,
        )
    render = slack_message if target.kind == "slack" else discord_message
    message = render(claimed.event_type, claimed.payload, get_settings().pages_url)
    return json.dumps(message, ensure_ascii=False).encode(), dict(JSON_HEADERS)


async def _read_snippet(response: httpx.Response) -> str:
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= READ_LIMIT:
            break
    return b"".join(chunks)[:READ_LIMIT].decode("utf-8", "replace")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    return float(value) if value.replace(".", "", 1).isdigit() else None


async def attempt(claimed: Claimed, target: Target, client: httpx.AsyncClient) -> Outcome:
    """One try of one delivery. Never raises."""
    started_at = utcnow()
    out = Outcome(claimed=claimed, started_at=started_at)
    t0 = time.perf_counter()
    try:
        if target.refused:
            out.error = target.refused
        elif target.kind == "email":
            if not target.email:  # every email channel gets its address when it is created
                raise ValueError("the email channel has no address")
            subject, text, html = email_message(claimed.event_type, claimed.payload, get_settings().pages_url)
            loop = asyncio.get_running_loop()
            await asyncio.wait_for(
                loop.run_in_executor(
                    _EMAIL_POOL, partial(send_email, to=target.email, subject=subject, text=text, html=html)
                ),
                EMAIL_TIMEOUT_S,
            )
            out.succeeded = True
        else:
            if target.url is None:  # outbox._target reads it, or refuses the channel
                raise ValueError("the channel has no URL")
            body, headers = build_request(claimed, target, started_at)
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                async with client.stream("POST", target.url, content=body, headers=headers) as response:
                    out.snippet = _clean(await _read_snippet(response), target) or None
            out.status_code = response.status_code
            out.succeeded = 200 <= response.status_code < 300
            if not out.succeeded:
                out.error = (
                    f"Redirect ({response.status_code}) not followed"
                    if 300 <= response.status_code < 400
                    else f"HTTP {response.status_code}"
                )
                out.retry_after = _retry_after(response) if response.status_code in (429, 503) else None
    except TimeoutError:
        out.error = f"Timed out after {REQUEST_TIMEOUT_S if target.kind != 'email' else EMAIL_TIMEOUT_S:g} s"
    except httpx.HTTPError as exc:
        out.error = _clean(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, target)
    except (smtplib.SMTPException, OSError) as exc:
        out.error = _clean(f"Email not sent: {type(exc).__name__}: {exc}", target)
    except Exception as exc:  # a bug must fail one attempt, not the pump
        log.exception("delivery %s to channel %s failed unexpectedly", claimed.delivery_id, target.public_id)
        out.error = _clean(f"Internal error: {type(exc).__name__}", target)
    out.latency_ms = int((time.perf_counter() - t0) * 1000)
    out.finished_at = utcnow()
    return out


class _Clients:
    """httpx clients for one pump: one small connection pool per channel, one TLS context for all.

    httpcore's pool looks at every pooled connection (a syscall each) whenever a request starts or
    ends, so a single pool of MAX_IN_FLIGHT connections spent most of the pump's CPU there (measured:
    ~150 deliveries/s). A pool per channel, as large as the channel's share of requests, keeps that
    constant; connections are still reused across that channel's deliveries."""

    def __init__(self) -> None:
        self._by_channel: dict[int, httpx.AsyncClient] = {}
        self._tls: ssl.SSLContext | None = None

    def get(self, channel_id: int) -> httpx.AsyncClient:
        client = self._by_channel.get(channel_id)
        if client is None:
            if self._tls is None:
                self._tls = ssl.create_default_context(cafile=certifi.where())
            client = httpx.AsyncClient(
                timeout=httpx.Timeout(REQUEST_TIMEOUT_S),
                follow_redirects=False,
                verify=self._tls,
                limits=httpx.Limits(
                    max_connections=PER_CHANNEL_IN_FLIGHT, max_keepalive_connections=PER_CHANNEL_IN_FLIGHT
                ),
            )
            self._by_channel[channel_id] = client
        return client

    async def __aenter__(self) -> _Clients:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(c.aclose() for c in self._by_channel.values()), return_exceptions=True)


async def pump(*, max_seconds: float = 240.0) -> PumpStats:
    """Send everything due now (and whatever falls due while sending), then return.

    Stops claiming after `max_seconds` (the caller re-queues itself if work is left)."""
    stats = PumpStats()
    started = time.monotonic()
    await asyncio.to_thread(housekeeping)
    states: dict[int, ChannelState] = {}
    targets: dict[int, Target] = {}
    claimed_count: Counter = Counter()
    checks: dict[str, tuple[float, str | None]] = {}
    tasks: dict[asyncio.Task, int] = {}
    everyone = asyncio.Semaphore(MAX_IN_FLIGHT)
    per_channel: dict[int, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(PER_CHANNEL_IN_FLIGHT))

    async def run(claimed: Claimed, target: Target, client: httpx.AsyncClient) -> Outcome:
        state = states[target.id]
        async with per_channel[target.id]:
            if state.tripped:
                return Outcome(claimed=claimed, skipped=True)
            async with everyone:
                out = await attempt(claimed, target, client)
        if out.succeeded:
            state.consecutive = 0
        else:
            state.consecutive += 1
            state.tripped = state.consecutive >= PAUSE_AFTER_FAILURES
        return out

    async with _Clients() as clients:
        while True:
            while time.monotonic() - started < max_seconds and len(tasks) < MAX_CLAIMED:
                batch, new_targets, exhausted = await asyncio.to_thread(
                    claim, MAX_CLAIMED - len(tasks), dict(claimed_count), checks
                )
                targets.update(new_targets)
                for c in batch:
                    target = new_targets[c.channel_id]
                    states.setdefault(target.id, ChannelState(target.consecutive_failures))
                    tasks[asyncio.create_task(run(c, target, clients.get(target.id)))] = c.channel_id
                    claimed_count[c.channel_id] += 1
                if exhausted or not batch:
                    break
            if not tasks:
                break
            done, pending = await asyncio.wait(tasks, timeout=POLL_S, return_when=asyncio.FIRST_COMPLETED)
            if done and pending:
                more, _ = await asyncio.wait(pending, timeout=BATCH_WINDOW_S)
                done |= more
            if not done:
                continue
            outcomes = []
            for task in done:
                channel_id = tasks.pop(task)
                claimed_count[channel_id] -= 1
                if not claimed_count[channel_id]:
                    del claimed_count[channel_id]
                outcomes.append(task.result())
            stored, newly_paused = await asyncio.to_thread(record, outcomes, targets)
            for o in outcomes:
                if o.skipped:
                    stats.skipped += 1
                    continue
                stats.attempts += 1
                stats.succeeded += o.succeeded
                stats.failed += not o.succeeded
            stats.paused += [targets[cid].public_id for cid in newly_paused]
            for channel_id, (status, consecutive) in stored.items():
                state = states.get(channel_id)
                if state is not None:  # the database is the authority once outcomes are written
                    state.tripped = status != "active"
                    if status == "active":
                        state.consecutive = consecutive
    stats.seconds = time.monotonic() - started
    return stats


def deliver_due(*, max_seconds: float = 240.0) -> PumpStats:
    """Run a pump to completion (synchronous entry point for jobs, the CLI and tests)."""
    return asyncio.run(pump(max_seconds=max_seconds))
