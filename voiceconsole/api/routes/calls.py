from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import Field

from voiceconsole.api.deps import PrincipalDep, SessionDep, release
from voiceconsole.api.envelope import ok, ok_response
from voiceconsole.api.inputs import RequestBody
from voiceconsole.api.params import IsoDateTime, Paging, as_utc, check_range, paging
from voiceconsole.models.types import pk, utcnow
from voiceconsole.services import calls as calls_service
from voiceconsole.services.calls import CallFilters
from voiceconsole.services.calls import export as exports

router = APIRouter(prefix="/calls", tags=["calls"])

SortBy = Literal["startedAt", "endedAt", "callScore", "duration", "cost", "createdAt"]


class NoteIn(RequestBody):
    body: str = Field(min_length=1, max_length=calls_service.MAX_NOTE_LENGTH, examples=["Caller asked for a callback."])


# A tag as written: some non-space text, at most MAX_TAG_LENGTH once trimmed (stored lowercase).
Tag = Annotated[str, Field(min_length=1, max_length=calls_service.MAX_TAG_LENGTH, pattern=r"\S")]


class TagsIn(RequestBody):
    tags: list[Tag] = Field(min_length=1, max_length=calls_service.MAX_TAGS_PER_REQUEST, examples=[["follow-up"]])


async def call_filters(
    agent_id: Annotated[
        str | None, Query(alias="agentId", max_length=128, description="The platform's agent id")
    ] = None,
    client_id: Annotated[str | None, Query(alias="clientId", max_length=32)] = None,
    status: Literal["ended", "error", "in_progress"] | None = None,
    min_score: Annotated[int | None, Query(alias="minScore", ge=0, le=100)] = None,
    max_score: Annotated[int | None, Query(alias="maxScore", ge=0, le=100)] = None,
    sentiment: Literal["Positive", "Neutral", "Negative"] | None = None,
    platform: Literal["retell", "vapi", "elevenlabs"] | None = None,
    direction: Literal["inbound", "outbound"] | None = None,
    search: Annotated[str | None, Query(max_length=200, description="Words in the transcript or summary")] = None,
    date_from: Annotated[IsoDateTime | None, Query(alias="dateFrom", description="ISO 8601; UTC if no zone")] = None,
    date_to: Annotated[IsoDateTime | None, Query(alias="dateTo", description="ISO 8601; UTC if no zone")] = None,
    scored: Annotated[
        bool | None,
        Query(
            description="true: only calls whose score counts toward averages "
            "(scored and with a transcript); false: the others"
        ),
    ] = None,
    tags: Annotated[
        str | None,
        Query(
            max_length=2000,
            description="Calls with any of these tags, comma-separated (`follow-up,vip`), matched as tags are "
            f"stored (trimmed, any case); at most {calls_service.MAX_TAGS_PER_REQUEST} tags of "
            f"{calls_service.MAX_TAG_LENGTH} characters",
        ),
    ] = None,
) -> CallFilters:
    date_from, date_to = as_utc(date_from, "dateFrom"), as_utc(date_to, "dateTo")
    check_range(date_from, date_to)
    filters = CallFilters(
        agent_id=agent_id,
        client_id=client_id,
        status=status,
        min_score=min_score,
        max_score=max_score,
        sentiment=sentiment,
        platform=platform,
        direction=direction,
        search=search,
        date_from=date_from,
        date_to=date_to,
        scored=scored,
        tags=calls_service.split_tags([tags]) if tags else None,
    )
    calls_service.check_filters(filters)  # here, before an export starts streaming
    return filters


LIST_DOC = f"""Calls of the organization, newest first by default, with the filters below.

`meta: {{page, perPage, total, totalIsEstimate}}`. `total` is exact up to
{calls_service.EXACT_TOTAL_LIMIT:,} matching calls (`totalIsEstimate: false`). Past that, counting every
match would cost more than the page, so `total` is the database planner's estimate, never below
{calls_service.EXACT_TOTAL_LIMIT + 1:,}, and `totalIsEstimate` is `true`. A page with fewer than `perPage`
items (the last one) carries the exact total. To read everything, page until a page has fewer than
`perPage` items rather than trusting an estimated total."""


@router.get("", summary="List calls", description=LIST_DOC)
def list_calls(
    principal: PrincipalDep,
    session: SessionDep,
    filters: Annotated[CallFilters, Depends(call_filters)],
    pg: Annotated[Paging, Depends(paging)],
    sort_by: Annotated[SortBy, Query(alias="sortBy")] = "startedAt",
):
    result = calls_service.page_calls(
        session,
        org=principal.org,
        filters=filters,
        page=pg.page,
        per_page=pg.per_page,
        sort_by=sort_by,
        sort_order=pg.sort_order,
        actor=principal.actor,
    )
    release(session)
    return ok_response(
        [r.wire() for r in result.rows],
        page=pg.page,
        perPage=pg.per_page,
        total=result.total,
        totalIsEstimate=result.total_is_estimate,
    )


@router.get(
    "/export",
    summary="Export the filtered calls as CSV (streamed; newest first)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV with a header row"}},
)
def export_calls(principal: PrincipalDep, filters: Annotated[CallFilters, Depends(call_filters)]):
    """The same filters as `GET /calls`, every matching call (no paging), as a CSV attachment. Columns:
    id, platformCallId, startedAt, endedAt, agentId, agentName, clientId, clientName, platform, status,
    direction, fromNumber, toNumber, duration (s), cost (USD), callScore, sentiment, successful, endReason,
    tags (;-separated), summary, recordingUrl."""
    name = exports.export_filename(utcnow())
    return StreamingResponse(
        exports.stream_calls_csv(org_id=pk(principal.org), filters=filters, actor=principal.actor),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.get("/{call_id}", summary="Get a call with transcript, score breakdown, notes and tags")
def get_call(call_id: str, principal: PrincipalDep, session: SessionDep):
    call = calls_service.get_call(session, org=principal.org, call_id=call_id, actor=principal.actor)
    release(session)
    return ok_response(call.wire())


@router.post("/{call_id}/notes", status_code=201, summary="Add a note to a call")
def add_note(call_id: str, note: NoteIn, principal: PrincipalDep, session: SessionDep):
    created = calls_service.add_note(session, org=principal.org, call_id=call_id, body=note.body, actor=principal.actor)
    session.commit()
    return ok(created.wire())


@router.post("/{call_id}/tags", summary="Add tags to a call")
def add_tags(call_id: str, body: TagsIn, principal: PrincipalDep, session: SessionDep):
    tags = calls_service.add_tags(session, org=principal.org, call_id=call_id, tags=body.tags, actor=principal.actor)
    session.commit()
    return ok({"callId": call_id, "tags": tags})


@router.delete("/{call_id}/tags", summary="Remove tags from a call")
def remove_tags(call_id: str, body: TagsIn, principal: PrincipalDep, session: SessionDep):
    tags = calls_service.remove_tags(session, org=principal.org, call_id=call_id, tags=body.tags, actor=principal.actor)
    session.commit()
    return ok({"callId": call_id, "tags": tags})
