"""The deliveries outbox, database side: claim due deliveries, record every attempt's outcome.

Claims are atomic on both databases (`UPDATE … WHERE id IN (…) AND status = 'pending'`, the
candidates picked with SKIP LOCKED on PostgreSQL) and committed before anything is sent; a claim
older than STALE_AFTER means its worker died, and the delivery goes back to pending. Results are
written in small batches: a DeliveryAttempt per try, then the delivery (succeeded; pending again
after the backoff of `settings.notify_retry_schedule`; failed when that schedule is spent) and the
channel's consecutive failures. The fifth consecutive failure pauses the channel, holds its pending
deliveries and emails the organization's owners. Nothing here ever logs or stores a channel's
URL or secret: errors name the channel's hint instead. The sending side is `sender.py`.
"""

from __future__ import annotations

import html as _html
import logging
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col

from voiceconsole import enqueue
from voiceconsole.db import session_scope
from voiceconsole.models import Delivery, DeliveryAttempt, Event, Membership, NotificationChannel, User
from voiceconsole.models.types import UTCDateTime, pk, table_of, utcnow
from voiceconsole.services.net_guard import UnsafeTarget, check_url
from voiceconsole.services.notifications.channels import channel_url, signing_secrets
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)

PER_CHANNEL_CLAIMED = 32  # claimed and unfinished per channel: bounds what one slow channel can hold
MAX_CLAIMED = 200  # claimed and unfinished in one pump
STALE_AFTER = timedelta(minutes=2)  # far above the worst case of one claim (32 / 4 × 5 s = 40 s)
PAUSE_AFTER_FAILURES = 5
MAX_RETRY_AFTER_S = 3600  # a receiver's Retry-After is honoured up to this
WRITE_RETRIES = 3

D = table_of(Delivery)
A = table_of(DeliveryAttempt)
C = table_of(NotificationChannel)


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


def _active_channels() -> Select[Any]:
    return select(C.c.id).where(C.c.status == "active")


def housekeeping() -> dict[str, int]:
    """Stale claims back to pending (their worker died); pending deliveries of paused channels held."""
    with session_scope() as session:
        stale = session.exec(
            update(D)
            .where(D.c.status == "delivering", D.c.claimed_at < utcnow() - STALE_AFTER)
            .values(status="pending", claimed_at=None)
        ).rowcount
        held = session.exec(
            update(D)
            .where(D.c.status == "pending", D.c.channel_id.in_(select(C.c.id).where(C.c.status == "paused")))
            .values(status="held")
        ).rowcount
    if stale:
        log.warning("released %d stale delivery claims", stale)
    return {"released": stale, "held": held}


_CHECK_TTL_S = 5.0  # a target's address check is reused this long within one pump


def _target(channel: NotificationChannel, checks: dict[str, tuple[float, str | None]]) -> Target:
    target = Target(
        id=pk(channel),
        public_id=channel.public_id,
        organization_id=channel.organization_id,
        kind=channel.kind,
        name=channel.name,
        hint=channel.target_hint or channel.email or "",
        consecutive_failures=channel.consecutive_failures,
        email=channel.email,
    )
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


def claim(
    limit: int,
    claimed_per_channel: dict[int, int],
    checks: dict[str, tuple[float, str | None]] | None = None,
) -> tuple[list[Claimed], dict[int, Target], bool]:
    """Claim up to `limit` due deliveries of active channels, at most PER_CHANNEL_CLAIMED per channel
    counting those already claimed. Returns (claimed, targets by channel id, whether nothing more is due)."""
    saturated = [cid for cid, n in claimed_per_channel.items() if n >= PER_CHANNEL_CLAIMED]
    with session_scope() as session:
        now = utcnow()
        query = (
            select(D.c.id, D.c.channel_id)
            .where(D.c.status == "pending", D.c.next_attempt_at <= now, D.c.channel_id.in_(_active_channels()))
            .order_by(D.c.next_attempt_at, D.c.id)
            .limit(limit)
        )
        if saturated:
            query = query.where(D.c.channel_id.not_in(saturated))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=D)
        candidates = session.execute(query).all()
        exhausted = len(candidates) < limit
        room: Counter[int] = Counter()
        picked: list[int] = []
        for delivery_id, channel_id in candidates:
            if claimed_per_channel.get(channel_id, 0) + room[channel_id] < PER_CHANNEL_CLAIMED:
                room[channel_id] += 1
                picked.append(delivery_id)
        if not picked:
            return [], {}, exhausted
        ids = (
            session.execute(
                update(D)
                .where(D.c.id.in_(picked), D.c.status == "pending")
                .values(status="delivering", claimed_at=now)
                .returning(D.c.id)
            )
            .scalars()
            .all()
        )
        if not ids:
            return [], {}, exhausted
        rows = session.execute(
            select(D.c.id, D.c.attempts, D.c.channel_id, col(Event.public_id), col(Event.type), col(Event.payload))
            .join(Event, col(Event.id) == D.c.event_id)
            .where(D.c.id.in_(ids))
            .order_by(D.c.next_attempt_at, D.c.id)
        ).all()
        channels = (
            session.execute(
                select(NotificationChannel).where(col(NotificationChannel.id).in_({r.channel_id for r in rows}))
            )
            .scalars()
            .all()
        )
    checks = {} if checks is None else checks
    targets = {ch.id: _target(ch, checks) for ch in channels}
    claimed = [
        Claimed(
            delivery_id=r.id,
            claimed_at=now,
            attempt=r.attempts + 1,
            channel_id=r.channel_id,
            event_id=r.public_id,
            event_type=r.type,
            payload=r.payload or {},
        )
        for r in rows
        if r.channel_id in targets
    ]
    return claimed, targets, exhausted


def _owner_emails(session: Session, organization_id: int) -> list[str]:
    return list(
        session.execute(
            select(col(User.email))
            .join(Membership, col(Membership.user_id) == col(User.id))
            .where(col(Membership.organization_id) == organization_id, col(Membership.role) == "owner")
        ).scalars()
    )


def _backoff(attempt: int, schedule: tuple[float, ...], retry_after: float | None) -> float | None:
    """Seconds until the next try after failed attempt number `attempt`, or None when retries are spent."""
    if attempt > len(schedule):
        return None
    delay = schedule[attempt - 1] * (1 + random.random() * 0.1)  # a little jitter, never earlier
    if retry_after:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER_S))
    return delay


_RESULT = (
    update(D)
    .where(
        D.c.id == bindparam("d_id"),
        D.c.status == "delivering",
        D.c.claimed_at == bindparam("d_claim", type_=UTCDateTime()),
    )
    .values(
        status=bindparam("d_status"),
        attempts=bindparam("d_attempts"),
        claimed_at=None,
        next_attempt_at=bindparam("d_next", type_=UTCDateTime()),
        delivered_at=bindparam("d_delivered", type_=UTCDateTime()),
        last_status_code=bindparam("d_code"),
        last_error=bindparam("d_error"),
        last_latency_ms=bindparam("d_latency"),
    )
)
_UNCLAIM = (
    update(D)
    .where(
        D.c.id == bindparam("d_id"),
        D.c.status == "delivering",
        D.c.claimed_at == bindparam("d_claim", type_=UTCDateTime()),
    )
    .values(status="pending", claimed_at=None, next_attempt_at=bindparam("d_next", type_=UTCDateTime()))
)


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
        attempt_rows.append(
            {
                "delivery_id": c.delivery_id,
                "channel_id": c.channel_id,
                "attempt": c.attempt,
                "started_at": o.started_at or now,
                "succeeded": o.succeeded,
                "status_code": o.status_code,
                "latency_ms": o.latency_ms,
                "response_snippet": o.snippet,
                "error": o.error,
            }
        )
        if o.succeeded:
            status, next_at, delivered = "succeeded", None, o.finished_at or now
        else:
            delay = _backoff(c.attempt, schedule, o.retry_after)
            status = "failed" if delay is None else "pending"
            next_at, delivered = (None if delay is None else now + timedelta(seconds=delay)), None
        results.append(
            {
                "d_id": c.delivery_id,
                "d_claim": c.claimed_at,
                "d_status": status,
                "d_attempts": c.attempt,
                "d_next": next_at,
                "d_delivered": delivered,
                "d_code": o.status_code,
                "d_error": o.error,
                "d_latency": o.latency_ms,
            }
        )
    touched = set(by_channel) | {o.claimed.channel_id for o in outcomes}

    def write() -> tuple[dict[int, tuple[str, int]], list[tuple[Target, str, list[str]]]]:
        alerts: list[tuple[Target, str, list[str]]] = []
        with session_scope() as session:
            if touched:
                # Channels first, in id order, then deliveries: the order resume, pause and delete use
                # too, so those never deadlock with a pump writing its results (PostgreSQL; SQLite
                # serialises writers anyway).
                session.execute(
                    select(C.c.id).where(C.c.id.in_(sorted(touched))).order_by(C.c.id).with_for_update(key_share=True)
                )
            if attempt_rows:  # a channel deleted meanwhile took its deliveries with it: nothing to log
                alive = set(
                    session.execute(
                        select(D.c.id).where(D.c.id.in_([r["delivery_id"] for r in attempt_rows]))
                    ).scalars()
                )
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
                values: dict[str, Any] = (
                    {"consecutive_failures": trailing}
                    if last_success
                    else {"consecutive_failures": C.c.consecutive_failures + trailing}
                )
                if last_success:
                    values["last_delivery_at"] = last_success
                session.execute(update(C).where(C.c.id == channel_id).values(**values))
                if not trailing:
                    continue
                last_error = outs[-1].error or "failed"
                reason = f"{PAUSE_AFTER_FAILURES} consecutive failed deliveries; last: {last_error}"[:500]
                paused = session.execute(
                    update(C)
                    .where(
                        C.c.id == channel_id, C.c.status == "active", C.c.consecutive_failures >= PAUSE_AFTER_FAILURES
                    )
                    .values(status="paused", paused_at=now, pause_reason=reason, updated_at=now)
                    .returning(C.c.id)
                ).first()
                if paused:
                    target = targets[channel_id]
                    alerts.append((target, reason, _owner_emails(session, target.organization_id)))
            if not touched:
                return {}, alerts
            paused_ids = [
                cid for (cid,) in session.execute(select(C.c.id).where(C.c.id.in_(touched), C.c.status == "paused"))
            ]
            if paused_ids:  # anything put back to pending for a channel that is paused now waits for resume
                session.execute(
                    update(D).where(D.c.channel_id.in_(paused_ids), D.c.status == "pending").values(status="held")
                )
            state = {
                r.id: (r.status, r.consecutive_failures)
                for r in session.execute(
                    select(C.c.id, C.c.status, C.c.consecutive_failures).where(C.c.id.in_(touched))
                )
            }
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
    base = get_settings().pages_url  # a page: the frontend URL when it is served apart
    where = f"{base}/settings/integrations"
    subject = f"[VoiceConsole] Notification channel paused: {target.name}"
    text = (
        f'VoiceConsole paused your {target.kind} notification channel "{target.name}" ({target.hint}).\n\n'
        f"Why: {reason}.\n\n"
        "Events that happen while it is paused are kept, not lost. To resume: fix the receiver, then open "
        f"{where} and press Resume on the channel "
        f"(or POST /api/v1/notification-channels/{target.public_id}/resume).\n"
        "Every kept event is then delivered once.\n"
    )
    html = (
        f"<p>VoiceConsole paused your {_html.escape(target.kind)} notification channel "
        f"<strong>{_html.escape(target.name)}</strong> ({_html.escape(target.hint)}).</p>"
        f"<p><strong>Why:</strong> {_html.escape(reason)}.</p>"
        "<p>Events that happen while it is paused are kept, not lost. Fix the receiver, then "
        f'<a href="{_html.escape(where)}">resume the channel in Settings → Integrations</a>; every kept event '
        "is then delivered once.</p>"
    )
    for owner in owners:
        try:
            enqueue.email(to=owner, subject=subject, text=text, html=html)
        except Exception:  # Redis away: the channel shows as paused in the UI anyway
            log.exception("could not queue the pause alert for channel %s", target.public_id)
    if not owners:
        log.warning("channel %s paused but its organization has no owner to alert", target.public_id)


def next_due_at() -> datetime | None:
    """When the earliest pending delivery of an active channel is due (None: nothing pending)."""
    with session_scope() as session:
        return session.execute(
            select(func.min(Delivery.next_attempt_at)).where(
                col(Delivery.status) == "pending", col(Delivery.channel_id).in_(_active_channels())
            )
        ).scalar()
