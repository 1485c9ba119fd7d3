"""Connected platform accounts, and the platforms' inbound webhooks (DESIGN.md §5)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from voiceconsole.api.deps import PrincipalDep, SessionDep
from voiceconsole.api.envelope import ok, page_of
from voiceconsole.api.errors import ApiError
from voiceconsole.api.handlers import RETRY_AFTER_S
from voiceconsole.api.inputs import CamelBody, check_text_params
from voiceconsole.api.openapi import ErrorBody
from voiceconsole.api.params import Paging, page_only
from voiceconsole.db import session_scope
from voiceconsole.schemas import IntegrationOut
from voiceconsole.services import integrations as service
from voiceconsole.services.intake.webhooks import receive_platform_webhook

router = APIRouter(prefix="/integrations", tags=["integrations"])


# One word of printable ASCII (what an HTTP header can carry); surrounding spaces are trimmed.
API_KEY_PATTERN = r"^\s*[!-~]+\s*$"


class IntegrationIn(CamelBody):
    platform: Literal["retell", "vapi", "elevenlabs"] = Field(examples=["retell"])
    api_key: str = Field(
        max_length=500,
        pattern=API_KEY_PATTERN,
        description=(
            "The platform's API key. The platform is asked first: a key it refuses is a 422 naming `apiKey`, "
            "and nothing is stored. Stored encrypted, never shown again"
        ),
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
    api_key: str | None = Field(
        default=None,
        max_length=500,
        pattern=API_KEY_PATTERN,
        description=(
            "A new API key for the same account (e.g. after rotating it on the platform). The platform is asked "
            "first: a key it refuses is a 422 naming `apiKey`, and nothing changes. Stored encrypted, never shown "
            "again; Retell webhooks must then be signed with it"
        ),
    )


class OneIntegration(BaseModel):
    """The envelope of one integration (documentation only: the routes return it as built)."""

    data: IntegrationOut
    meta: dict[str, Any] = Field(default_factory=dict)


class IntegrationList(BaseModel):
    """The envelope of the list of integrations (documentation only)."""

    data: list[IntegrationOut]
    meta: dict[str, Any] = Field(default_factory=dict, examples=[{"page": 1, "perPage": 20, "total": 1}])


def _out(session, principal, integration_id: str) -> dict:
    return service.get_integration(
        session, org=principal.org, integration_id=integration_id, actor=principal.actor
    ).wire()


@router.get("", summary="List connected platform accounts", responses={200: {"model": IntegrationList}})
def list_integrations(
    principal: PrincipalDep,
    session: SessionDep,
    pg: Annotated[Paging, Depends(page_only)],
    include_disconnected: Annotated[bool, Query(alias="includeDisconnected")] = False,
):
    items = service.list_integrations(
        session, org=principal.org, actor=principal.actor, include_disconnected=include_disconnected
    )
    return page_of([i.wire() for i in items], page=pg.page, per_page=pg.per_page)


def _unreachable(exc: service.PlatformUnreachable) -> ApiError:
    """The platform could not be asked about the key: an unavailable dependency, 503 with Retry-After."""
    return ApiError(exc.status_code, exc.message, exc.details, {"Retry-After": str(RETRY_AFTER_S)})


_DEADLINE = f"{service.KEY_CHECK_DEADLINE_S:.0f} seconds"
UNREACHABLE_RESPONSE = {
    "model": ErrorBody,
    "description": (
        "The database or Redis is unavailable, or the platform could not be asked whether it accepts the "
        f"API key (unreachable, failing, not answering within {_DEADLINE}, or answering something "
        "unexpected): nothing was stored; retry after `Retry-After` seconds. `details` says why (field "
        "`platform`, or `baseUrl` when the base URL may not be called)"
    ),
}
CREATE_DOC = (
    f"Owners and admins. The platform is asked whether it accepts `apiKey` (at most {_DEADLINE}) before "
    "anything is stored. Accepted: 201, the integration with its webhook URL and secret, and its first sync "
    "queued (`meta.syncQueued`). Refused by the platform: 422 naming `apiKey`. The platform could not be "
    "asked: 503 with `Retry-After`. Either way nothing is stored (no integration, audit entry or sync). An "
    "account already connected: 409, before the platform is asked."
)


@router.post(
    "",
    status_code=201,
    summary="Connect a platform account once the platform accepts its key (the first sync is queued)",
    description=CREATE_DOC,
    responses={201: {"model": OneIntegration}, 503: UNREACHABLE_RESPONSE},
)
def create_integration(body: IntegrationIn, principal: PrincipalDep, session: SessionDep):
    # Commits the read before asking the platform: no transaction is held while it answers.
    try:
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
    except service.PlatformUnreachable as exc:
        raise _unreachable(exc) from None
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


PATCH_DOC = (
    "Owners and admins. `apiKey` re-enters the account's API key: the platform is asked whether it accepts it "
    "before anything is stored (all the fields of the request, or none, are changed). Accepted: the integration "
    "is active again, its last error cleared, its agents and calls kept, and a sync is queued. Refused by the "
    "platform: 422 naming `apiKey`. The platform could not be asked: 503 with `Retry-After`. The key of another "
    "connected integration, or a disconnected integration: 409."
)


@router.patch(
    "/{integration_id}",
    summary="Rename, set the webhook secret the platform gave you, or re-enter the API key",
    description=PATCH_DOC,
    responses={
        200: {"model": OneIntegration},
        503: UNREACHABLE_RESPONSE,
    },
)
def update_integration(integration_id: str, body: IntegrationPatch, principal: PrincipalDep, session: SessionDep):
    if body.api_key is not None:
        # Commits the read before asking the platform: no transaction is held while it answers.
        try:
            service.change_api_key(
                session,
                org=principal.org,
                integration_id=integration_id,
                api_key=body.api_key,
                actor=principal.actor,
                label=body.label,
                webhook_secret=body.webhook_secret,
            )
        except service.PlatformUnreachable as exc:
            raise _unreachable(exc) from None
    else:
        service.update_integration(
            session,
            org=principal.org,
            integration_id=integration_id,
            actor=principal.actor,
            label=body.label,
            webhook_secret=body.webhook_secret,
        )
    session.commit()  # a new key's sync is queued once committed
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
