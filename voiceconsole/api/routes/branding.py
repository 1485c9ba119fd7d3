"""The agency's branding in its client portals: name, accent colour and logo."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response
from pydantic import ConfigDict, Field

from voiceconsole.api.deps import PrincipalDep, SessionDep
from voiceconsole.api.envelope import ok, ok_response
from voiceconsole.api.errors import ApiError
from voiceconsole.api.inputs import CamelBody
from voiceconsole.services import branding as branding_service

router = APIRouter(prefix="/branding", tags=["branding"])


class BrandingIn(CamelBody):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200, description="The agency's name")
    accent_color: str | None = Field(
        default=None,
        max_length=7,
        description="Hex colour (#rrggbb or #rgb) shown in client portals; an empty string goes back to the default",
        examples=["#4f46e5"],
    )


@router.get("", summary="The agency's branding (name, accent colour, logo) shown in client portals")
def get_branding(principal: PrincipalDep, session: SessionDep):
    return ok_response(branding_service.get_branding(session, org=principal.org).wire())


@router.put("", summary="Change the agency's name and accent colour (owners and admins)")
def put_branding(body: BrandingIn, principal: PrincipalDep, session: SessionDep):
    given = body.model_fields_set
    out = branding_service.update_branding(
        session,
        org=principal.org,
        actor=principal.actor,
        name=body.name if "name" in given else None,
        accent_color=body.accent_color or None,
        clear_accent="accent_color" in given and not body.accent_color,
    )
    session.commit()
    return ok(out.wire())


@router.post(
    "/logo",
    summary="Upload the agency's logo (owners and admins): PNG, JPEG or WebP, at most 512 KB",
    responses={413: {"description": "Request body too large"}},
)
async def upload_logo(
    principal: PrincipalDep,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="The image; its type is read from its content")],
):
    data = await file.read(branding_service.MAX_LOGO_BYTES + 1)
    out = branding_service.set_logo(session, org=principal.org, actor=principal.actor, data=data)
    session.commit()
    return ok(out.wire())


@router.delete("/logo", summary="Remove the agency's logo (owners and admins)")
def delete_logo(principal: PrincipalDep, session: SessionDep):
    out = branding_service.remove_logo(session, org=principal.org, actor=principal.actor)
    session.commit()
    return ok(out.wire())


@router.get(
    "/logo",
    summary="The agency's logo image",
    response_class=Response,
    responses={200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}}, "description": "The logo"}},
)
def get_logo(request: Request, principal: PrincipalDep, session: SessionDep):
    """Served with its type and an ETag; the `?v=` of `logoUrl` changes with the logo, so it may be cached."""
    logo = branding_service.logo_of(session, org=principal.org)
    if logo is None:
        raise ApiError(404, "Not found", [{"field": "logo", "message": "No logo uploaded"}])
    etag = f'"{logo.etag[:32]}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "private, max-age=86400",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(content=logo.data, media_type=logo.content_type, headers=headers)
