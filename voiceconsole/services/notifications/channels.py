"""Notification channels (DESIGN.md §6): where an organization's events go, and which ones.

A channel is a signed webhook, a Slack or Discord incoming webhook, or an email address. Its URL
is encrypted at rest (Slack and Discord URLs are credentials) and only a hint is shown again; a
webhook channel's `whsec_…` signing secret is returned once, when created or rotated. Sending is
the delivery engine's job (services/notification_delivery.py), never done here.
"""

from __future__ import annotations

from datetime import timedelta
from enum import Enum
from typing import Final
from urllib.parse import urlsplit

from sqlalchemy import delete
from sqlmodel import Session, col, select

from voiceconsole.models import Client, Delivery, DeliveryAttempt, NotificationChannel, Organization
from voiceconsole.models.events import EVENT_TYPES
from voiceconsole.models.notifications import CHANNEL_KINDS
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas import ChannelCreated, ChannelOut
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import require
from voiceconsole.services.accounts import normalise_email
from voiceconsole.services.errors import NotFound, ValidationFailed
from voiceconsole.services.net_guard import UnsafeTarget, check_url, is_private_url
from voiceconsole.services.security import decrypt, encrypt, new_signing_secret

MAX_NAME = 200
ROTATION_GRACE = timedelta(hours=24)
_SLACK_HOSTS = ("hooks.slack.com",)
_DISCORD_HOSTS = ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com")


# --------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------


def _clean_kind(kind: str | None) -> str:
    if kind not in CHANNEL_KINDS:
        raise ValidationFailed.field("kind", f"Kind must be one of: {', '.join(CHANNEL_KINDS)}")
    return kind


def clean_events(events: list[str] | None) -> list[str]:
    if not events:
        raise ValidationFailed.field("events", "Choose at least one event")
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise ValidationFailed.field("events", f"Unknown event {unknown[0]!r}; known events: {', '.join(EVENT_TYPES)}")
    return list(dict.fromkeys(events))


def _clean_name(name: str | None, fallback: str) -> str:
    name = (name or "").strip() or fallback
    if len(name) > MAX_NAME:
        raise ValidationFailed.field("name", f"Name must be at most {MAX_NAME} characters")
    return name


def _clean_url(kind: str, url: str | None) -> str:
    if not url or not url.strip():
        raise ValidationFailed.field("url", f"A {kind} channel needs a URL")
    try:
        clean = check_url(url, require_https_public=True)
    except UnsafeTarget as exc:
        raise ValidationFailed.field("url", str(exc)) from exc
    if is_private_url(clean):
        return clean  # local receivers (tests, development): allowed only by configuration, checked above
    parts = urlsplit(clean)
    if kind == "slack" and (parts.hostname not in _SLACK_HOSTS or not parts.path.startswith("/services/")):
        raise ValidationFailed.field(
            "url", "A Slack incoming webhook URL looks like https://hooks.slack.com/services/…"
        )
    if kind == "discord" and (parts.hostname not in _DISCORD_HOSTS or not parts.path.startswith("/api/webhooks/")):
        raise ValidationFailed.field("url", "A Discord webhook URL looks like https://discord.com/api/webhooks/…")
    return clean


def _clean_email(email: str | None) -> str:
    if not email or not email.strip():
        raise ValidationFailed.field("email", "An email channel needs an address")
    return normalise_email(email)  # the same rule as sign-in addresses (internal domains allowed)


def _clean_hour(hour: int | None) -> int:
    if hour is None:
        return 8
    if not isinstance(hour, int) or not 0 <= hour <= 23:
        raise ValidationFailed.field("summaryHour", "Summary hour must be 0–23 (organization local time)")
    return hour


def _client_id(session: Session, org: Organization, client_public_id: str | None) -> int | None:
    if not client_public_id:
        return None
    client = session.exec(
        select(Client).where(Client.organization_id == org.id, Client.public_id == client_public_id)
    ).first()
    if client is None:
        raise ValidationFailed.field("clientId", "No such client in this organization")
    return client.id


def target_hint(url: str) -> str:
    """Scheme, host and the start of the path: enough to recognise, not enough to use."""
    parts = urlsplit(url)
    first = parts.path.strip("/").split("/")[0] if parts.path.strip("/") else ""
    tail = url[-4:] if len(parts.path) > len(first) + 2 else ""
    return f"{parts.scheme}://{parts.netloc}/{first}" + (f"/…{tail}" if tail else "")


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def channel_out(
    channel: NotificationChannel, client_public_id: str | None = None, client_name: str | None = None
) -> ChannelOut:
    return ChannelOut(
        id=channel.public_id,
        name=channel.name,
        kind=channel.kind,
        target=(channel.email if channel.kind == "email" else channel.target_hint) or "",  # both set on creation
        events=list(channel.events),
        client_id=client_public_id,
        client_name=client_name,
        status=channel.status,
        consecutive_failures=channel.consecutive_failures,
        paused_at=channel.paused_at,
        pause_reason=channel.pause_reason,
        summary_hour=channel.summary_hour,
        has_secret=bool(channel.secret_encrypted),
        previous_secret_expires_at=channel.previous_secret_expires_at,
        last_delivery_at=channel.last_delivery_at,
        created_at=channel.created_at,
        updated_at=channel.updated_at,
    )


def find_channel(session: Session, *, org: Organization, channel_id: str) -> NotificationChannel:
    """An organization's channel by public id; another organization's is NotFound."""
    channel = session.exec(
        select(NotificationChannel).where(
            NotificationChannel.public_id == channel_id, NotificationChannel.organization_id == org.id
        )
    ).first()
    if channel is None:
        raise NotFound("Notification channel not found")
    return channel


def _out(session: Session, channel: NotificationChannel) -> ChannelOut:
    client = session.get(Client, channel.client_id) if channel.client_id else None
    return channel_out(channel, client.public_id if client else None, client.name if client else None)


def list_channels(session: Session, *, org: Organization, actor: Actor) -> list[ChannelOut]:
    require(actor, "channels.read")
    rows = session.exec(
        select(NotificationChannel, Client)
        .join(Client, col(Client.id) == col(NotificationChannel.client_id), isouter=True)
        .where(NotificationChannel.organization_id == org.id)
        .order_by(col(NotificationChannel.created_at), col(NotificationChannel.id))
    ).all()
    return [channel_out(ch, cl.public_id if cl else None, cl.name if cl else None) for ch, cl in rows]


def get_channel(session: Session, *, org: Organization, channel_id: str, actor: Actor) -> ChannelOut:
    require(actor, "channels.read")
    return _out(session, find_channel(session, org=org, channel_id=channel_id))


# --------------------------------------------------------------------------------------------------
# Changing
# --------------------------------------------------------------------------------------------------


def create_channel(
    session: Session,
    *,
    org: Organization,
    actor: Actor,
    kind: str,
    events: list[str],
    name: str | None = None,
    url: str | None = None,
    email: str | None = None,
    client_id: str | None = None,
    summary_hour: int | None = None,
) -> ChannelCreated:
    require(actor, "channels.manage")
    kind = _clean_kind(kind)
    events = clean_events(events)
    channel = NotificationChannel(
        organization_id=pk(org),
        kind=kind,
        events=events,
        name="",
        summary_hour=_clean_hour(summary_hour),
        created_by=actor.ref,
        client_id=_client_id(session, org, client_id),
    )
    secret = None
    if kind == "email":
        if url:
            raise ValidationFailed.field("url", "An email channel takes an email address, not a URL")
        channel.email = _clean_email(email)
        channel.name = _clean_name(name, f"Email {channel.email}")
    else:
        if email:
            raise ValidationFailed.field("email", f"A {kind} channel takes a URL, not an email address")
        clean = _clean_url(kind, url)
        channel.target_encrypted, channel.target_hint = encrypt(clean), target_hint(clean)
        channel.name = _clean_name(name, f"{kind.capitalize()} {urlsplit(clean).hostname}")
        if kind == "webhook":
            secret = new_signing_secret()
            channel.secret_encrypted = encrypt(secret)
    session.add(channel)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="channel.created",
        target_type="notification_channel",
        target_id=channel.public_id,
        details={"kind": kind, "events": events},
    )
    return ChannelCreated(**_out(session, channel).model_dump(), secret=secret)


class _Unset(Enum):
    """The type of `_UNSET`: "left out", as opposed to None."""

    TOKEN = 0


_UNSET: Final = _Unset.TOKEN


def update_channel(
    session: Session,
    *,
    org: Organization,
    channel_id: str,
    actor: Actor,
    name: str | None = None,
    events: list[str] | None = None,
    url: str | None = None,
    email: str | None = None,
    client_id: str | _Unset | None = _UNSET,
    summary_hour: int | None = None,
) -> ChannelOut:
    """Change what is given; `client_id=None` clears the client filter, leaving it out keeps it."""
    require(actor, "channels.manage")
    channel = find_channel(session, org=org, channel_id=channel_id)
    if name is not None:
        channel.name = _clean_name(name, channel.name)
    if events is not None:
        channel.events = clean_events(events)
    if url is not None:
        if channel.kind == "email":
            raise ValidationFailed.field("url", "An email channel takes an email address, not a URL")
        clean = _clean_url(channel.kind, url)
        channel.target_encrypted, channel.target_hint = encrypt(clean), target_hint(clean)
    if email is not None:
        if channel.kind != "email":
            raise ValidationFailed.field("email", f"A {channel.kind} channel takes a URL, not an email address")
        channel.email = _clean_email(email)
    if client_id is not _UNSET:
        channel.client_id = _client_id(session, org, client_id)
    if summary_hour is not None:
        channel.summary_hour = _clean_hour(summary_hour)
    channel.updated_at = utcnow()
    session.add(channel)
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="channel.updated",
        target_type="notification_channel",
        target_id=channel.public_id,
    )
    return _out(session, channel)


def rotate_secret(session: Session, *, org: Organization, channel_id: str, actor: Actor) -> ChannelCreated:
    """A new secret, returned once; the old one keeps signing alongside it for 24 hours."""
    require(actor, "channels.manage")
    channel = find_channel(session, org=org, channel_id=channel_id)
    if channel.kind != "webhook":
        raise ValidationFailed.field("kind", "Only webhook channels have a signing secret")
    secret = new_signing_secret()
    channel.previous_secret_encrypted = channel.secret_encrypted
    channel.previous_secret_expires_at = utcnow() + ROTATION_GRACE
    channel.secret_encrypted = encrypt(secret)
    channel.updated_at = utcnow()
    session.add(channel)
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="channel.secret_rotated",
        target_type="notification_channel",
        target_id=channel.public_id,
    )
    return ChannelCreated(**_out(session, channel).model_dump(), secret=secret)


def delete_channel(session: Session, *, org: Organization, channel_id: str, actor: Actor) -> None:
    """Remove the channel and its delivery log; the events themselves stay."""
    require(actor, "channels.manage")
    channel = find_channel(session, org=org, channel_id=channel_id)
    # Lock the channel before its deliveries, the order the delivery engine writes in (no deadlock).
    session.exec(select(NotificationChannel.id).where(NotificationChannel.id == channel.id).with_for_update())
    session.execute(delete(DeliveryAttempt).where(col(DeliveryAttempt.channel_id) == channel.id))
    session.execute(delete(Delivery).where(col(Delivery.channel_id) == channel.id))
    session.delete(channel)
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="channel.deleted",
        target_type="notification_channel",
        target_id=channel.public_id,
    )


# --------------------------------------------------------------------------------------------------
# For the delivery engine
# --------------------------------------------------------------------------------------------------


def channel_url(channel: NotificationChannel) -> str:
    if not channel.target_encrypted:
        raise ValueError("channel has no URL")
    return decrypt(channel.target_encrypted)


def signing_secrets(channel: NotificationChannel) -> tuple[str | None, str | None]:
    """(current, previous still within its 24 h grace or None)."""
    current = decrypt(channel.secret_encrypted) if channel.secret_encrypted else None
    previous = None
    if (
        channel.previous_secret_encrypted
        and channel.previous_secret_expires_at
        and channel.previous_secret_expires_at > utcnow()
    ):
        previous = decrypt(channel.previous_secret_encrypted)
    return current, previous
