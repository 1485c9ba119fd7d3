"""Connected platform accounts, and the platforms' inbound webhooks (DESIGN.md §5)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from voiceconsole.api.deps import PrincipalDep, SessionDep
from voiceconsole.api.envelope import ok
from voiceconsole.api.inputs import CamelBody, check_text_params
from voiceconsole.db import session_scope
from voiceconsole.schemas import IntegrationOut
from voiceconsole.services import integrations as service
from voiceconsole.services.intake.webhooks import receive_platform_webhook

router = APIRouter(prefix="/integrations", tags=["integrations"])


class IntegrationIn(CamelBody):
    platform: Literal["retell", "vapi", "elevenlabs"] = Field(examples=["retell"])
    api_key: str = Field(
        max_length=500,
        pattern=r"^\s*\S+\s*$",  # one word: surrounding spaces are trimmed
        description="The platform's API key; stored encrypted, never shown again",
    )
    label: str | None = Field(default=None, max_length=200, examples=["Bright Smile – Retell"])
    base_url: str | None = Field(
        default=None,
        max_length=500,
        description="Only for simulators and tests: private hosts need VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1",
    )
    webhook_secret: str | None = Field(
        default=None, max_length=500, description="ElevenLabs: the HMAC secret ElevenLabs shows for the webhook"
    )


class IntegrationPatch(CamelBody):
    label: str | None = Field(default=None, max_length=200)
    webhook_secret: str | None = Field(default=None, max_length=500)


class OneIntegration(BaseModel):
    """The envelope of one integration (documentation only: the routes return it as built)."""

    data: IntegrationOut
    meta: dict[str, Any] = Field(default_factory=dict)


class IntegrationList(BaseModel):
    """The envelope of the list of integrations (documentation only)."""

    data: list[IntegrationOut]
    meta: dict[str, Any] = Field(default_factory=dict, examples=[{"total": 1}])


def _out(session, principal, integration_id: str) -> dict:
    return service.get_integration(
        session, org=principal.org, integration_id=integration_id, actor=principal.actor
    ).wire()


@router.get("", summary="List connected platform accounts", responses={200: {"model": IntegrationList}})
def list_integrations(
    principal: PrincipalDep,
    session: SessionDep,
    include_disconnected: Annotated[bool, Query(alias="includeDisconnected")] = False,
):
    items = service.list_integrations(
        session, org=principal.org, actor=principal.actor, include_disconnected=include_disconnected
    )
    return ok([i.wire() for i in items], total=len(items))


@router.post(
    "",
    status_code=201,
    summary="Connect a platform account (the first sync is queued)",
    responses={201: {"model": OneIntegration}},
)
def create_integration(body: IntegrationIn, principal: PrincipalDep, session: SessionDep):
    integration = service.create_integration(
        session,
        org=principal.org,
        platform=body.platform,
        api_key=body.api_key,
        label=body.label,
        base_url=body.base_url,
        webhook_secret=body.webhook_secret,
        actor=principal.actor,
    )
    session.commit()  # the sync job must find it
    queued = service.request_sync(
        session, org=principal.org, integration_id=integration.public_id, actor=principal.actor
    ).queued
    return ok(_out(session, principal, integration.public_id), syncQueued=queued)


@router.get(
    "/{integration_id}",
    summary="One integration, with its webhook URL and secret",
    responses={200: {"model": OneIntegration}},
)
def get_integration(integration_id: str, principal: PrincipalDep, session: SessionDep):
    return ok(_out(session, principal, integration_id))


@router.patch(
    "/{integration_id}",
    summary="Rename, or set the webhook secret the platform gave you",
    responses={200: {"model": OneIntegration}},
)
def update_integration(integration_id: str, body: IntegrationPatch, principal: PrincipalDep, session: SessionDep):
    service.update_integration(
        session,
        org=principal.org,
        integration_id=integration_id,
        actor=principal.actor,
        label=body.label,
        webhook_secret=body.webhook_secret,
    )
    session.commit()
    return ok(_out(session, principal, integration_id))


@router.post("/{integration_id}/test", status_code=202, summary="Queue a connection test (lists agents)")
def test_integration(integration_id: str, principal: PrincipalDep, session: SessionDep):
    return ok(
        service.request_test(session, org=principal.org, integration_id=integration_id, actor=principal.actor).wire()
    )


@router.post("/{integration_id}/sync", status_code=202, summary="Queue a sync now")
def sync_integration(integration_id: str, principal: PrincipalDep, session: SessionDep):
    return ok(
        service.request_sync(session, org=principal.org, integration_id=integration_id, actor=principal.actor).wire()
    )


@router.delete(
    "/{integration_id}", summary="Disconnect (agents and calls are kept)", responses={200: {"model": OneIntegration}}
)
def disconnect_integration(integration_id: str, principal: PrincipalDep, session: SessionDep):
    service.disconnect_integration(session, org=principal.org, integration_id=integration_id, actor=principal.actor)
    session.commit()
    return ok(_out(session, principal, integration_id))


@router.post("/{platform}/webhook/{integration_id}", summary="Inbound platform webhook (signed; no API key)")
async def platform_webhook(platform: str, integration_id: str, request: Request):
    check_text_params(request)
    body = await request.body()  # at most MAX_BODY_BYTES (api/body_limit.py answers 413 past that, unread)
    headers = dict(request.headers)

    def receive() -> dict:
        with session_scope() as session:
            return receive_platform_webhook(
                session, platform=platform, integration_id=integration_id, headers=headers, body=body
            ).wire()

    return ok(await run_in_threadpool(receive))
