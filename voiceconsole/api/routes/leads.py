"""Leads: list, create, change, delete, and CSV imports (dry run, or a job with progress and an error report)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import ConfigDict, Field, model_validator

from voiceconsole.api.deps import PrincipalDep, SessionDep, release
from voiceconsole.api.envelope import ok, ok_response
from voiceconsole.api.inputs import RequestBody
from voiceconsole.api.params import Paging, paging
from voiceconsole.models import LEAD_STATUSES
from voiceconsole.services.campaigns import imports, leads
from voiceconsole.services.campaigns.leads import LeadFilters

router = APIRouter(prefix="/leads", tags=["leads"])

Status = Literal[LEAD_STATUSES]  # type: ignore[valid-type]
Tag = Annotated[str, Field(min_length=1, max_length=leads.MAX_TAG)]


class ConsentIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    at: datetime | None = Field(default=None, description="When the person agreed to be called (ISO 8601)")
    method: str | None = Field(default=None, max_length=leads.MAX_CONSENT_TEXT, examples=["web_form"])
    source: str | None = Field(default=None, max_length=leads.MAX_CONSENT_TEXT, examples=["https://example.com/quote"])


class _LeadFields(RequestBody):
    model_config = ConfigDict(extra="forbid")
    firstName: str | None = Field(default=None, max_length=leads.MAX_NAME, examples=["Ada"])
    lastName: str | None = Field(default=None, max_length=leads.MAX_NAME, examples=["Lovelace"])
    email: str | None = Field(default=None, max_length=320, examples=["ada@example.com"])
    company: str | None = Field(default=None, max_length=leads.MAX_COMPANY)
    timezone: str | None = Field(
        default=None, max_length=64, description="IANA time zone; derived from the number when not given"
    )
    clientId: str | None = Field(default=None, max_length=32, description="The client (cli_…) the lead is for")
    tags: list[Tag] | None = Field(default=None, max_length=leads.MAX_TAGS, examples=[["spring-promo"]])
    customFields: dict[str, Annotated[str, Field(max_length=leads.MAX_CUSTOM_VALUE)]] | None = Field(
        default=None,
        max_length=leads.MAX_CUSTOM_FIELDS,
        description="Text values by name (letters, digits, underscores): the agent's dynamic variables",
        examples=[{"plan": "gold"}],
    )
    consent: ConsentIn | None = None
    status: Status | None = Field(default=None, description="`do_not_call` also puts the number on the list")

    def given(self) -> dict[str, Any]:
        """The lead fields sent (null included: it clears), by their service names."""
        names = {
            "firstName": "first_name",
            "lastName": "last_name",
            "email": "email",
            "company": "company",
            "timezone": "timezone",
            "tags": "tags",
            "customFields": "custom_fields",
            "phone": "phone",
        }
        out = {names[k]: getattr(self, k) for k in self.model_fields_set if k in names}
        if "consent" in self.model_fields_set:
            out["consent"] = self.consent.model_dump() if self.consent else None
        return out


class LeadIn(_LeadFields):
    phone: str = Field(
        max_length=100,
        description="Any format; national numbers are read in the organization's default region. Stored as E.164",
        examples=["+14155552671"],
    )


class LeadPatch(_LeadFields):
    phone: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _something(self) -> LeadPatch:
        if not self.model_fields_set:
            raise ValueError("Give at least one field to change")
        return self


async def lead_filters(
    status: Status | None = None,
    tag: Annotated[str | None, Query(max_length=leads.MAX_TAG)] = None,
    client_id: Annotated[str | None, Query(alias="clientId", max_length=32)] = None,
    search: Annotated[
        str | None, Query(max_length=200, description="Words of the name, email, company or phone")
    ] = None,
) -> LeadFilters:
    return LeadFilters(status=status, tag=tag, client_id=client_id, search=search)


@router.get("", summary="List leads, newest first (filters: status, tag, clientId, search)")
def list_leads(
    principal: PrincipalDep,
    session: SessionDep,
    filters: Annotated[LeadFilters, Depends(lead_filters)],
    pg: Annotated[Paging, Depends(paging)],
):
    rows, total = leads.list_leads(
        session,
        org=principal.org,
        actor=principal.actor,
        filters=filters,
        page=pg.page,
        per_page=pg.per_page,
        newest_first=pg.sort_order == "desc",
    )
    release(session)
    return ok_response([r.wire() for r in rows], page=pg.page, perPage=pg.per_page, total=total)


@router.post("", status_code=201, summary="Create a lead (one per phone number: 409 when the number has one)")
def create_lead(body: LeadIn, principal: PrincipalDep, session: SessionDep):
    """422 names each field at fault (`phone`: "Invalid phone number format", `email`, `timezone`: "Unknown
    time zone"); a number on the do-not-call list makes a `do_not_call` lead."""
    given = body.given()
    given.pop("client_id", None)
    status = body.status
    created = leads.create_lead(
        session,
        org=principal.org,
        actor=principal.actor,
        given={**given, **({"status": status} if status else {})},
        client_id=body.clientId,
    )
    session.commit()
    return ok(created.wire())


@router.post(
    "/import",
    status_code=202,
    summary="Import leads from a CSV file (multipart); `dryRun=true` previews and lists row errors",
    responses={200: {"description": "The dry run: preview and row errors, nothing written"}},
)
def import_leads(
    principal: PrincipalDep,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="CSV, UTF-8, header on line 1, at most 50 MB")],
    mapping: Annotated[
        str | None,
        Form(
            max_length=20_000,
            description='JSON object: lead field → column, e.g. {"phone": "Phone Number", "firstName": "First", '
            '"custom.plan": "Plan"}. Fields: phone, firstName, lastName, email, company, timezone, tags, '
            "consentAt, consentMethod, consentSource, custom.<name>. Without it, columns are matched by name.",
        ),
    ] = None,
    client_id: Annotated[str | None, Form(alias="clientId", max_length=32, description="Client (cli_…)")] = None,
    tags: Annotated[str | None, Form(max_length=2000, description="Tags added to every lead, comma-separated")] = None,
    dry_run: Annotated[bool, Query(alias="dryRun", description="Preview and list row errors; write nothing")] = False,
):
    """A real run answers 202 with the import (`imp_…`): follow it at `GET /leads/imports/{importId}`
    (rows done of total); refused rows are in its error report (`errors.csv`). Rows merge into the lead
    that has their number. A file that is not UTF-8 CSV, over 50 MB, or without a phone column is a 422
    and nothing is written."""
    plan, options = imports.prepare(
        session, org=principal.org, actor=principal.actor, mapping=mapping, client_id=client_id, tags=tags
    )
    if dry_run:
        preview = imports.dry_run(
            session, org=principal.org, actor=principal.actor, file=file.file, mapping=plan, options=options
        )
        release(session)
        return ok_response(preview.wire())
    started = imports.start_import(
        session,
        org=principal.org,
        actor=principal.actor,
        file=file.file,
        filename=file.filename,
        mapping=plan,
        options=options,
    )
    session.commit()
    return ok_response(started.wire(), status_code=202)


@router.get("/imports/{import_id}", summary="An import: status, rows done of total, created, updated, errors")
def get_import(import_id: str, principal: PrincipalDep, session: SessionDep):
    out = imports.get_import(session, org=principal.org, actor=principal.actor, import_id=import_id)
    release(session)
    return ok_response(out.wire())


@router.get(
    "/imports/{import_id}/errors.csv",
    summary="An import's refused rows as CSV: row, field, message and the row's own columns",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV with a header row"}},
)
def import_errors_csv(import_id: str, principal: PrincipalDep, session: SessionDep):
    lines = imports.error_report_csv(session, org=principal.org, actor=principal.actor, import_id=import_id)
    release(session)
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{import_id}-errors.csv"'},
    )


@router.get("/{lead_id}", summary="One lead")
def get_lead(lead_id: str, principal: PrincipalDep, session: SessionDep):
    out = leads.get_lead(session, org=principal.org, actor=principal.actor, lead_id=lead_id)
    release(session)
    return ok_response(out.wire())


@router.patch("/{lead_id}", summary="Change a lead: the fields given (null clears one)")
def update_lead(lead_id: str, body: LeadPatch, principal: PrincipalDep, session: SessionDep):
    """A status other than `do_not_call` while the number is on the do-not-call list is a 409."""
    given = body.given()
    kwargs: dict[str, Any] = {}
    if "clientId" in body.model_fields_set:
        kwargs["client_id"] = body.clientId
    out = leads.update_lead(
        session,
        org=principal.org,
        actor=principal.actor,
        lead_id=lead_id,
        given=given,
        status=body.status,
        **kwargs,
    )
    session.commit()
    return ok(out.wire())


@router.delete("/{lead_id}", summary="Delete a lead (its number stays on the do-not-call list if it is there)")
def delete_lead(lead_id: str, principal: PrincipalDep, session: SessionDep):
    out = leads.delete_lead(session, org=principal.org, actor=principal.actor, lead_id=lead_id)
    session.commit()
    return ok(out.wire())
