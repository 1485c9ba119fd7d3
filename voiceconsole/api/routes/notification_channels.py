"""Notification channels: signed webhooks, Slack, Discord and email (DESIGN.md §5–§6)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic.config import JsonDict

from voiceconsole.api.deps import PrincipalDep, SessionDep
from voiceconsole.api.envelope import ok, page_of
from voiceconsole.api.inputs import CamelBody
from voiceconsole.api.params import Paging, page_only
from voiceconsole.models.events import EVENT_TYPES
from voiceconsole.services.notifications import channels as service
from voiceconsole.services.notifications import deliveries as delivery

router = APIRouter(prefix="/notification-channels", tags=["notification channels"])
if TYPE_CHECKING:
    EventType = str
else:
    EventType = Literal[EVENT_TYPES]  # models/events.py: the one list (an enum in the OpenAPI schema)


class _StrictBody(CamelBody):
    """Unknown fields are refused: a misspelt event filter must not silently mean "no filter"."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


# Webhook, Slack and Discord channels need a URL and take no email; email channels the reverse.
_TARGET_BY_KIND: JsonDict = {
    "if": {"properties": {"kind": {"const": "email"}}},
    "then": {"required": ["email"], "not": {"required": ["url"]}},
    "else": {"required": ["url"], "not": {"required": ["email"]}},
}


class ChannelIn(_StrictBody):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", json_schema_extra={"allOf": [_TARGET_BY_KIND]}
    )
    kind: Literal["webhook", "slack", "discord", "email"] = Field(examples=["webhook"])
    url: str | None = Field(
        default=None,
        max_length=2000,
        description="webhook, slack and discord: where to POST (https; private hosts need "
        "VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1)",
    )
    email: str | None = Field(default=None, max_length=320, description="email channels: the address")
    events: list[EventType] = Field(
        examples=[["call.low_score"]],
        min_length=1,
        max_length=10,
        description=", ".join(EVENT_TYPES),
    )
    name: str | None = Field(default=None, max_length=200)
    client_id: str | None = Field(
        default=None, max_length=32, description="Only this client's events (cli_…); omit for every client"
    )
    summary_hour: int | None = Field(default=None, description="Local hour (0–23) of the daily summary; default 8")


class ChannelPatch(_StrictBody):
    name: str | None = Field(default=None, max_length=200)
    events: list[EventType] | None = Field(default=None, min_length=1, max_length=10)
    url: str | None = Field(default=None, max_length=2000)
    email: str | None = Field(default=None, max_length=320)
    client_id: str | None = Field(default=None, max_length=32, description="A client id, or null for every client")
    summary_hour: int | None = None


@router.get("", summary="List notification channels, oldest first")
def list_channels(principal: PrincipalDep, session: SessionDep, pg: Annotated[Paging, Depends(page_only)]):
    items = service.list_channels(session, org=principal.org, actor=principal.actor)
    return page_of([c.wire() for c in items], page=pg.page, per_page=pg.per_page)


@router.post("", status_code=201, summary="Create a channel; a webhook's signing secret is returned once")
def create_channel(body: ChannelIn, principal: PrincipalDep, session: SessionDep):
    created = service.create_channel(
        session,
        org=principal.org,
        actor=principal.actor,
        kind=body.kind,
        events=list(body.events),
        name=body.name,
        url=body.url,
        email=body.email,
        client_id=body.client_id,
        summary_hour=body.summary_hour,
    )
    session.commit()
    return ok(created.wire())


@router.get("/{channel_id}", summary="One channel (its URL only as a hint, never its secret)")
def get_channel(channel_id: str, principal: PrincipalDep, session: SessionDep):
    return ok(service.get_channel(session, org=principal.org, channel_id=channel_id, actor=principal.actor).wire())


@router.patch("/{channel_id}", summary="Change a channel's name, events, target, client filter or summary hour")
def update_channel(channel_id: str, body: ChannelPatch, principal: PrincipalDep, session: SessionDep):
    changes: dict[str, Any] = {k: getattr(body, k) for k in ("name", "events", "url", "email", "summary_hour")}
    if "client_id" in body.model_fields_set:
        changes["client_id"] = body.client_id  # null clears the filter; leaving it out keeps it
    updated = service.update_channel(
        session, org=principal.org, channel_id=channel_id, actor=principal.actor, **changes
    )
    session.commit()
    return ok(updated.wire())


@router.delete("/{channel_id}", summary="Delete a channel and its delivery log")
def delete_channel(channel_id: str, principal: PrincipalDep, session: SessionDep):
    service.delete_channel(session, org=principal.org, channel_id=channel_id, actor=principal.actor)
    session.commit()
    return ok({"id": channel_id, "deleted": True})


@router.post("/{channel_id}/test", status_code=202, summary="Send a sample event (marked test) to this channel")
def test_channel(channel_id: str, principal: PrincipalDep, session: SessionDep):
    event_id = delivery.send_test_event(session, org=principal.org, channel_id=channel_id, actor=principal.actor)
    session.commit()  # the commit asks a worker to deliver it
    return ok({"eventId": event_id, "channelId": channel_id})


@router.get("/{channel_id}/deliveries", summary="The channel's delivery log, newest first, with every attempt")
def list_deliveries(
    channel_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    pg: Annotated[Paging, Depends(page_only)],
    status: Literal["pending", "delivering", "held", "succeeded", "failed"] | None = None,
):
    items, total = delivery.list_deliveries(
        session,
        org=principal.org,
        channel_id=channel_id,
        actor=principal.actor,
        page=pg.page,
        per_page=pg.per_page,
        status=status,
    )
    return ok([d.wire() for d in items], page=pg.page, perPage=pg.per_page, total=total)


@router.post("/{channel_id}/resume", summary="Resume a paused channel: every held event is delivered once")
def resume_channel(channel_id: str, principal: PrincipalDep, session: SessionDep):
    resumed = delivery.resume_channel(session, org=principal.org, channel_id=channel_id, actor=principal.actor)
    session.commit()  # the commit asks a worker to deliver what was held
    return ok(resumed.wire())


@router.post("/{channel_id}/rotate-secret", summary="New signing secret, returned once; the old one signs for 24 h")
def rotate_secret(channel_id: str, principal: PrincipalDep, session: SessionDep):
    rotated = service.rotate_secret(session, org=principal.org, channel_id=channel_id, actor=principal.actor)
    session.commit()
    return ok(rotated.wire())
