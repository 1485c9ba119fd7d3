"""The delivery engine: claim due deliveries, send them concurrently, record every attempt.

A pump (`pump()`, run by the notify jobs) keeps up to MAX_CLAIMED deliveries claimed and up to
MAX_IN_FLIGHT requests in flight over one httpx.AsyncClient, at most PER_CHANNEL_IN_FLIGHT per
channel, each bounded by a 5-second total timeout: a receiver that hangs holds a few slots of its
own channel and nothing else, and while it hangs the pump keeps claiming other channels' work.

Claims are atomic on both databases (`UPDATE … WHERE id IN (…) AND status = 'pending'`, the
candidates picked with SKIP LOCKED on PostgreSQL) and committed before anything is sent; a claim
older than STALE_AFTER means its worker died, and the delivery goes back to pending. Results are
written in small batches: a DeliveryAttempt per try, then the delivery (succeeded; pending again
after the backoff of `settings.notify_retry_schedule`; failed when that schedule is spent) and the
channel's consecutive failures. The fifth consecutive failure pauses the channel, holds its pending
deliveries and emails the organization's owners. Nothing here ever logs or stores a channel's
URL or secret: errors name the channel's hint instead.
"""

from __future__ import annotations

import asyncio
import html as _html
import json
import logging
import random
import re
import smtplib
import ssl
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import certifi
import httpx
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from voiceconsole.db import session_scope
from voiceconsole.models import Delivery, DeliveryAttempt, Event, Membership, NotificationChannel, User
from voiceconsole.models.types import UTCDateTime, utcnow
from voiceconsole.services.email import send_email
from voiceconsole.services.net_guard import UnsafeTarget, check_url
from voiceconsole.services.notification_channels import channel_url, signing_secrets
from voiceconsole.services.notification_format import discord_message, email_message, slack_message
from voiceconsole.services.webhook_signing import signature_headers, webhook_body
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 50  # requests at once, all channels
PER_CHANNEL_IN_FLIGHT = 4  # requests at once to one channel
PER_CHANNEL_CLAIMED = 32  # claimed and unfinished per channel: bounds what one slow channel can hold
MAX_CLAIMED = 200  # claimed and unfinished in one pump
REQUEST_TIMEOUT_S = 5.0  # total, per request (DESIGN.md §6)
EMAIL_TIMEOUT_S = 20.0
STALE_AFTER = timedelta(minutes=2)  # far above the worst case of one claim (32 / 4 × 5 s = 40 s)
PAUSE_AFTER_FAILURES = 5
POLL_S = 0.25  # while requests are in flight, look for newly due work this often
BATCH_WINDOW_S = 0.02  # gather completions this long before writing them
MAX_RETRY_AFTER_S = 3600  # a receiver's Retry-After is honoured up to this
SNIPPET_CHARS = 500
WRITE_RETRIES = 3
READ_LIMIT = 4096  # bytes of a response body read at most
JSON_HEADERS = {"Content-Type": "application/json", "User-Agent": "VoiceConsole-Notifications/1"}
_EMAIL_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="vc-notify-email")
_URL_RE = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)

D = Delivery.__table__
A = DeliveryAttempt.__table__
C = NotificationChannel.__table__


@dataclass
class Target:
    """A channel as the sender needs it, decrypted once per claim."""

    id: int
    public_id: str
    organization_id: int
    kind: str
    name: str
    hint: str
    consecutive_failures: int
    url: str | None = None
    email: str | None = None
    secret: str | None = None
    previous_secret: str | None = None
    refused: str | None = None  # why we will not call it (net guard), counted as a failed attempt


@dataclass
class Claimed:
    delivery_id: int
    claimed_at: datetime
    attempt: int
    channel_id: int
    event_id: str
    event_type: str
    payload: dict[str, Any]


@dataclass
class Outcome:
    claimed: Claimed
    started_at: datetime | None = None
    finished_at: datetime | None = None
    succeeded: bool = False
    status_code: int | None = None
    latency_ms: int | None = None
    snippet: str | None = None
    error: str | None = None
    retry_after: float | None = None
    skipped: bool = False  # not attempted: its channel tripped meanwhile


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
        return {"attempts": self.attempts, "succeeded": self.succeeded, "failed": self.failed,
                "skipped": self.skipped, "paused": self.paused, "seconds": round(self.seconds, 3)}


# --------------------------------------------------------------------------------------------------
# Database side (synchronous; the pump runs these in a thread)
# --------------------------------------------------------------------------------------------------


def _active_channels():
    return select(C.c.id).where(C.c.status == "active")


def housekeeping() -> dict[str, int]:
    """Stale claims back to pending (their worker died); pending deliveries of paused channels held."""
    with session_scope() as session:
        stale = session.execute(
            update(D).where(D.c.status == "delivering", D.c.claimed_at < utcnow() - STALE_AFTER)
            .values(status="pending", claimed_at=None)).rowcount
        held = session.execute(
            update(D).where(D.c.status == "pending", D.c.channel_id.in_(select(C.c.id).where(C.c.status == "paused")))
            .values(status="held")).rowcount
    if stale:
        log.warning("released %d stale delivery claims", stale)
    return {"released": stale, "held": held}


_CHECK_TTL_S = 5.0  # a target's address check is reused this long within one pump


def _target(channel, checks: dict[str, tuple[float, str | None]]) -> Target:  # noqa: ANN001 (a channel row)
    target = Target(id=channel.id, public_id=channel.public_id, organization_id=channel.organization_id,
                    kind=channel.kind, name=channel.name, hint=channel.target_hint or channel.email or "",
                    consecutive_failures=channel.consecutive_failures, email=channel.email)
    if channel.kind == "email":
        return target
    try:
        target.url = channel_url(channel)
        if channel.kind == "webhook":
            target.secret, target.previous_secret = signing_secrets(channel)
            if not target.secret:
                target.refused = "The channel has no signing secret"
    except Exception:  # noqa: BLE001 (an unreadable URL: the secret key changed)
        target.refused = "The channel's URL cannot be read (was VOICECONSOLE_SECRET_KEY changed?)"
        return target
    checked_at, refused = checks.get(target.url, (0.0, None))
    if time.monotonic() - checked_at > _CHECK_TTL_S:
        refused = None
        try:
            # Right before sending, not only when the channel was saved: DNS answers change.
            check_url(target.url)
        except UnsafeTarget as exc:
            refused = f"Target refused: {exc}"
        checks[target.url] = (time.monotonic(), refused)
    target.refused = refused
    return target


def claim(limit: int, claimed_per_channel: dict[int, int], checks: dict | None = None,
          ) -> tuple[list[Claimed], dict[int, Target], bool]:
    """Claim up to `limit` due deliveries of active channels, at most PER_CHANNEL_CLAIMED per channel
    counting those already claimed. Returns (claimed, targets by channel id, whether nothing more is due)."""
    saturated = [cid for cid, n in claimed_per_channel.items() if n >= PER_CHANNEL_CLAIMED]
    with session_scope() as session:
        now = utcnow()
        query = (select(D.c.id, D.c.channel_id)
                 .where(D.c.status == "pending", D.c.next_attempt_at <= now, D.c.channel_id.in_(_active_channels()))
                 .order_by(D.c.next_attempt_at, D.c.id).limit(limit))
        if saturated:
            query = query.where(D.c.channel_id.not_in(saturated))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=D)
        candidates = session.execute(query).all()
        exhausted = len(candidates) < limit
        room = Counter()
        picked = []
        for delivery_id, channel_id in candidates:
            if claimed_per_channel.get(channel_id, 0) + room[channel_id] < PER_CHANNEL_CLAIMED:
                room[channel_id] += 1
                picked.append(delivery_id)
        if not picked:
            return [], {}, exhausted
        ids = session.execute(
            update(D).where(D.c.id.in_(picked), D.c.status == "pending")
            .values(status="delivering", claimed_at=now).returning(D.c.id)).scalars().all()
        if not ids:
            return [], {}, exhausted
        rows = session.execute(
            select(D.c.id, D.c.attempts, D.c.channel_id, Event.public_id, Event.type, Event.payload)
            .join(Event, Event.id == D.c.event_id).where(D.c.id.in_(ids)).order_by(D.c.next_attempt_at, D.c.id)).all()
        channels = session.execute(select(NotificationChannel).where(
            NotificationChannel.id.in_({r.channel_id for r in rows}))).scalars().all()
    checks = {} if checks is None else checks
    targets = {ch.id: _target(ch, checks) for ch in channels}
    claimed = [Claimed(delivery_id=r.id, claimed_at=now, attempt=r.attempts + 1, channel_id=r.channel_id,
                       event_id=r.public_id, event_type=r.type, payload=r.payload or {})
               for r in rows if r.channel_id in targets]
    return claimed, targets, exhausted


def _owner_emails(session, organization_id: int) -> list[str]:  # noqa: ANN001
    return list(session.execute(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id, Membership.role == "owner")).scalars())


def _backoff(attempt: int, schedule: tuple[float, ...], retry_after: float | None) -> float | None:
    """Seconds until the next try after failed attempt number `attempt`, or None when retries are spent."""
    if attempt > len(schedule):
        return None
    delay = schedule[attempt - 1] * (1 + random.random() * 0.1)  # a little jitter, never earlier
    if retry_after:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER_S))
    return delay


_RESULT = (update(D)
           .where(D.c.id == bindparam("d_id"), D.c.status == "delivering",
                  D.c.claimed_at == bindparam("d_claim", type_=UTCDateTime()))
           .values(status=bindparam("d_status"), attempts=bindparam("d_attempts"), claimed_at=None,
                   next_attempt_at=bindparam("d_next", type_=UTCDateTime()),
                   delivered_at=bindparam("d_delivered", type_=UTCDateTime()),
                   last_status_code=bindparam("d_code"), last_error=bindparam("d_error"),
                   last_latency_ms=bindparam("d_latency")))
_UNCLAIM = (update(D)
            .where(D.c.id == bindparam("d_id"), D.c.status == "delivering",
                   D.c.claimed_at == bindparam("d_claim", type_=UTCDateTime()))
            .values(status="pending", claimed_at=None, next_attempt_at=bindparam("d_next", type_=UTCDateTime())))


def record(outcomes: list[Outcome], targets: dict[int, Target]) -> tuple[dict[int, tuple[str, int]], list[int]]:
    """Write a batch of outcomes in one transaction; pause channels that reached the limit.

    Returns ({channel id: (status, consecutive failures)} as stored afterwards, channels paused now)."""
    schedule = get_settings().notify_retry_schedule
    now = utcnow()
    results, unclaims, attempt_rows = [], [], []
    by_channel: dict[int, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        c = o.claimed
        if o.skipped:
            unclaims.append({"d_id": c.delivery_id, "d_claim": c.claimed_at, "d_next": now})
            continue
        by_channel[c.channel_id].append(o)
        attempt_rows.append({"delivery_id": c.delivery_id, "channel_id": c.channel_id, "attempt": c.attempt,
                             "started_at": o.started_at or now, "succeeded": o.succeeded, "status_code": o.status_code,
                             "latency_ms": o.latency_ms, "response_snippet": o.snippet, "error": o.error})
        if o.succeeded:
            status, next_at, delivered = "succeeded", None, o.finished_at or now
        else:
            delay = _backoff(c.attempt, schedule, o.retry_after)
            status = "failed" if delay is None else "pending"
            next_at, delivered = (None if delay is None else now + timedelta(seconds=delay)), None
        results.append({"d_id": c.delivery_id, "d_claim": c.claimed_at, "d_status": status, "d_attempts": c.attempt,
                        "d_next": next_at, "d_delivered": delivered, "d_code": o.status_code, "d_error": o.error,
                        "d_latency": o.latency_ms})
    touched = set(by_channel) | {o.claimed.channel_id for o in outcomes}

    def write() -> tuple[dict[int, tuple[str, int]], list[tuple[Target, str, list[str]]]]:
        alerts: list[tuple[Target, str, list[str]]] = []
        with session_scope() as session:
            if touched:
                # Channels first, in id order, then deliveries: the order resume, pause and delete use
                # too, so those never deadlock with a pump writing its results (PostgreSQL; SQLite
                # serialises writers anyway).
                session.execute(select(C.c.id).where(C.c.id.in_(sorted(touched))).order_by(C.c.id)
                                .with_for_update(key_share=True))
            if attempt_rows:  # a channel deleted meanwhile took its deliveries with it: nothing to log
                alive = set(session.execute(select(D.c.id).where(
                    D.c.id.in_([r["delivery_id"] for r in attempt_rows]))).scalars())
                rows = [r for r in attempt_rows if r["delivery_id"] in alive]
                if rows:
                    session.execute(insert(A), rows)
            if results:
                session.execute(_RESULT, results)
            if unclaims:
                session.execute(_UNCLAIM, unclaims)
            for channel_id in sorted(by_channel):  # one lock order for every writer
                outs = by_channel[channel_id]
                trailing, last_success = 0, None
                for o in outs:  # in the order they completed
                    if o.succeeded:
                        trailing, last_success = 0, o.finished_at or now
                    else:
                        trailing += 1
                values: dict[str, Any] = {"consecutive_failures": trailing} if last_success else {
                    "consecutive_failures": C.c.consecutive_failures + trailing}
                if last_success:
                    values["last_delivery_at"] = last_success
                session.execute(update(C).where(C.c.id == channel_id).values(**values))
                if not trailing:
                    continue
                reason = f"{PAUSE_AFTER_FAILURES} consecutive failed deliveries; last: {outs[-1].error or 'failed'}"[:500]
                paused = session.execute(
                    update(C).where(C.c.id == channel_id, C.c.status == "active",
                                    C.c.consecutive_failures >= PAUSE_AFTER_FAILURES)
                    .values(status="paused", paused_at=now, pause_reason=reason, updated_at=now)
                    .returning(C.c.id)).first()
                if paused:
                    target = targets[channel_id]
                    alerts.append((target, reason, _owner_emails(session, target.organization_id)))
            if not touched:
                return {}, alerts
            paused_ids = [cid for cid, in session.execute(
                select(C.c.id).where(C.c.id.in_(touched), C.c.status == "paused"))]
            if paused_ids:  # anything put back to pending for a channel that is paused now waits for resume
                session.execute(update(D).where(D.c.channel_id.in_(paused_ids), D.c.status == "pending")
                                .values(status="held"))
            state = {r.id: (r.status, r.consecutive_failures) for r in session.execute(
                select(C.c.id, C.c.status, C.c.consecutive_failures).where(C.c.id.in_(touched)))}
        return state, alerts

    for retry in range(WRITE_RETRIES + 1):
        try:
            state, alerts = write()
            break
        except (OperationalError, IntegrityError):  # a deadlock with another pump, a channel deleted: again
            if retry == WRITE_RETRIES:
                raise
            log.warning("retrying a delivery result write", exc_info=True)
            time.sleep(0.05 * (retry + 1))
    for target, reason, owners in alerts:
        log.warning("notification channel %s (%s) paused: %s", target.public_id, target.hint, reason)
        _alert_owners(target, reason, owners)
    return state, [target.id for target, _, _ in alerts]


def _alert_owners(target: Target, reason: str, owners: list[str]) -> None:
    from voiceconsole.jobs.queues import enqueue_email

    base = get_settings().base_url
    where = f"{base}/settings/integrations"
    subject = f"[VoiceConsole] Notification channel paused: {target.name}"
    text = (f"VoiceConsole paused your {target.kind} notification channel \"{target.name}\" ({target.hint}).\n\n"
            f"Why: {reason}.\n\n"
            "Events that happen while it is paused are kept, not lost. To resume: fix the receiver, then open "
            f"{where} and press Resume on the channel (or POST /api/v1/notification-channels/{target.public_id}/resume).\n"
            "Every kept event is then delivered once.\n")
    html = (f"<p>VoiceConsole paused your {_html.escape(target.kind)} notification channel "
            f"<strong>{_html.escape(target.name)}</strong> ({_html.escape(target.hint)}).</p>"
            f"<p><strong>Why:</strong> {_html.escape(reason)}.</p>"
            "<p>Events that happen while it is paused are kept, not lost. Fix the receiver, then "
            f"<a href=\"{_html.escape(where)}\">resume the channel in Settings → Integrations</a>; every kept event "
            "is then delivered once.</p>")
    for owner in owners:
        try:
            enqueue_email(to=owner, subject=subject, text=text, html=html)
        except Exception:  # noqa: BLE001 (Redis away: the channel shows as paused in the UI anyway)
            log.exception("could not queue the pause alert for channel %s", target.public_id)
    if not owners:
        log.warning("channel %s paused but its organization has no owner to alert", target.public_id)


def next_due_at() -> datetime | None:
    """When the earliest pending delivery of an active channel is due (None: nothing pending)."""
    with session_scope() as session:
        return session.execute(
            select(func.min(Delivery.next_attempt_at))
            .where(Delivery.status == "pending", Delivery.channel_id.in_(_active_channels()))).scalar()


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
        body = webhook_body(event_id=claimed.event_id, event_type=claimed.event_type, timestamp=at,
                            data=claimed.payload)
        return body, signature_headers(body, event_id=claimed.event_id, event_type=claimed.event_type, timestamp=at,
                                       secret=target.secret, previous_secret=target.previous_secret)
    render = slack_message if target.kind == "slack" else discord_message
    message = render(claimed.event_type, claimed.payload, get_settings().base_url)
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
    out = Outcome(claimed=claimed, started_at=utcnow())
    t0 = time.perf_counter()
    try:
        if target.refused:
            out.error = target.refused
        elif target.kind == "email":
            subject, text, html = email_message(claimed.event_type, claimed.payload, get_settings().base_url)
            loop = asyncio.get_running_loop()
            await asyncio.wait_for(loop.run_in_executor(
                _EMAIL_POOL, partial(send_email, to=target.email, subject=subject, text=text, html=html)),
                EMAIL_TIMEOUT_S)
            out.succeeded = True
        else:
            body, headers = build_request(claimed, target, out.started_at)
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                async with client.stream("POST", target.url, content=body, headers=headers) as response:
                    out.snippet = _clean(await _read_snippet(response), target) or None
            out.status_code = response.status_code
            out.succeeded = 200 <= response.status_code < 300
            if not out.succeeded:
                out.error = (f"Redirect ({response.status_code}) not followed" if 300 <= response.status_code < 400
                             else f"HTTP {response.status_code}")
                out.retry_after = _retry_after(response) if response.status_code in (429, 503) else None
    except TimeoutError:
        out.error = f"Timed out after {REQUEST_TIMEOUT_S if target.kind != 'email' else EMAIL_TIMEOUT_S:g} s"
    except httpx.HTTPError as exc:
        out.error = _clean(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, target)
    except (smtplib.SMTPException, OSError) as exc:
        out.error = _clean(f"Email not sent: {type(exc).__name__}: {exc}", target)
    except Exception as exc:  # noqa: BLE001 (a bug must fail one attempt, not the pump)
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
                timeout=httpx.Timeout(REQUEST_TIMEOUT_S), follow_redirects=False, verify=self._tls,
                limits=httpx.Limits(max_connections=PER_CHANNEL_IN_FLIGHT,
                                    max_keepalive_connections=PER_CHANNEL_IN_FLIGHT))
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
                batch, new_targets, exhausted = await asyncio.to_thread(claim, MAX_CLAIMED - len(tasks),
                                                                        dict(claimed_count), checks)
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
