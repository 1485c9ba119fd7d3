"""The do-not-call list: numbers the organization never dials."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import ConfigDict, Field

from voiceconsole.api.deps import PrincipalDep, SessionDep, release
from voiceconsole.api.envelope import ok, ok_response
from voiceconsole.api.inputs import RequestBody
from voiceconsole.api.params import Paging, page_only
from voiceconsole.models.types import utcnow
from voiceconsole.services.campaigns import dnc

router = APIRouter(prefix="/dnc", tags=["do-not-call"])


class DoNotCallIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    phone: str = Field(
        max_length=100, description="Any format the organization's region reads", examples=["+14155552671"]
    )
    reason: str | None = Field(default=None, max_length=dnc.MAX_REASON, examples=["Asked not to be called"])


@router.get("", summary="The do-not-call list, newest first")
def list_numbers(
    principal: PrincipalDep,
    session: SessionDep,
    pg: Annotated[Paging, Depends(page_only)],
    search: Annotated[str | None, Query(max_length=40, description="Digits the number contains")] = None,
):
    rows, total = dnc.list_numbers(
        session, org=principal.org, actor=principal.actor, search=search, page=pg.page, per_page=pg.per_page
    )
    release(session)
    return ok_response([r.wire() for r in rows], page=pg.page, perPage=pg.per_page, total=total)


@router.post(
    "",
    status_code=201,
    summary="Add a number: its leads become do_not_call (200 when it was listed already)",
    responses={200: {"description": "The number was on the list already; nothing changed"}},
)
def add_number(body: DoNotCallIn, principal: PrincipalDep, session: SessionDep):
    out = dnc.add_number(session, org=principal.org, actor=principal.actor, phone=body.phone, reason=body.reason)
    session.commit()
    return ok_response(out.wire(), status_code=201 if out.added else 200)


@router.post("/import", summary="Add the numbers of a CSV file (a phone column; optional reason), at most 5 MB")
def import_numbers(
    principal: PrincipalDep,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="CSV, UTF-8; a column named phone (or numbers in the first)")],
):
    out = dnc.import_numbers(session, org=principal.org, actor=principal.actor, file=file.file)
    session.commit()
    return ok(out.wire())


@router.get(
    "/export.csv",
    summary="The whole list as CSV: phone, reason, source, added_by, created_at",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV with a header row"}},
)
def export_numbers(principal: PrincipalDep, session: SessionDep):
    lines = dnc.export_csv(session, org=principal.org, actor=principal.actor)
    release(session)
    name = f"do-not-call-{utcnow():%Y%m%d}.csv"
    return StreamingResponse(
        lines, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.delete("/{phone}", summary="Remove a number (owners and admins): its do_not_call leads become new")
def remove_number(phone: str, principal: PrincipalDep, session: SessionDep):
    out = dnc.remove_number(session, org=principal.org, actor=principal.actor, phone=phone)
    session.commit()
    return ok(out.wire())
