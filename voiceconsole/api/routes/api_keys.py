from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import Field

from voiceconsole.api.deps import PrincipalDep, SessionDep
from voiceconsole.api.envelope import ok, page_of
from voiceconsole.api.inputs import RequestBody
from voiceconsole.api.params import Paging, page_only
from voiceconsole.services import api_keys as keys_service

router = APIRouter(prefix="/api-keys", tags=["api keys"])


class ApiKeyIn(RequestBody):
    name: str = Field(min_length=1, max_length=100, examples=["Zapier"])
    role: Literal["owner", "admin", "member"] | None = Field(
        default=None, description="What the key may do; at most your own role, which is the default"
    )


@router.get("", summary="List API keys (never the keys themselves)")
def list_keys(principal: PrincipalDep, session: SessionDep, pg: Annotated[Paging, Depends(page_only)]):
    keys = keys_service.list_api_keys(session, org=principal.org, actor=principal.actor)
    return page_of([k.wire() for k in keys], page=pg.page, per_page=pg.per_page)


@router.post("", status_code=201, summary="Create an API key; the key is shown once")
def create_key(body: ApiKeyIn, principal: PrincipalDep, session: SessionDep):
    created = keys_service.create_api_key(
        session, org=principal.org, name=body.name, role=body.role, actor=principal.actor
    )
    session.commit()
    return ok(created.wire())


@router.delete("/{key_id}", summary="Revoke an API key")
def revoke_key(key_id: str, principal: PrincipalDep, session: SessionDep):
    key = keys_service.revoke_api_key(session, org=principal.org, key_id=key_id, actor=principal.actor)
    session.commit()
    return ok(key.wire())
