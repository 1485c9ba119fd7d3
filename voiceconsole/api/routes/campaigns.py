"""Campaigns: drafts (create, change, delete), the lifecycle (start, pause, resume, cancel), results and attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import ConfigDict, Field, model_validator

from voiceconsole.api.deps import PrincipalDep, SessionDep, release
from voiceconsole.api.envelope import ok, ok_response
from voiceconsole.api.inputs import RequestBody
from voiceconsole.api.params import Paging, page_only
from voiceconsole.models.campaign_runs import CAMPAIGN_STATUSES, RETRYABLE_OUTCOMES
from voiceconsole.services.campaigns import campaigns, stats

router = APIRouter(prefix="/campaigns", tags=["campaigns"])

Status = Literal[CAMPAIGN_STATUSES]  # type: ignore[valid-type]
Retried = Literal[RETRYABLE_OUTCOMES]  # type: ignore[valid-type]


class WindowIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    days: list[int] = Field(
        default=[1, 2, 3, 4, 5], min_length=1, max_length=7, description="ISO weekdays: 1 = Monday … 7 = Sunday"
    )
    start: str = Field(default="09:00", max_length=5, description="Local time in each lead's own time zone, HH:MM")
    end: str = Field(default="20:00", max_length=5, description='Exclusive; "24:00" is the end of the day')


class AudienceIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["tag", "filter", "leads"]
    tag: str | None = Field(default=None, max_length=50)
    status: str | None = Field(default=None, max_length=16, description="filter: the leads' status")
    clientId: str | None = Field(default=None, max_length=32, description="filter: the leads' client (cli_…)")
    leadIds: list[Annotated[str, Field(max_length=32)]] | None = Field(
        default=None, max_length=campaigns.MAX_EXPLICIT_LEADS
    )


class SuccessRuleIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["successful", "field", "transferred", "scorer"] = Field(
        description="`successful`: the call's success flag; `field`: a post-call data field being true (e.g. "
        "`booked`); `transferred`: the call was transferred; `scorer`: the scorer's outcome category (0-100) is at "
        "least `min`"
    )
    field: str | None = Field(default=None, max_length=100, examples=["booked"])
    min: int | None = Field(default=None, ge=1, le=100, description="`scorer`: the least outcome score (default 70)")


class _CampaignFields(RequestBody):
    model_config = ConfigDict(extra="forbid")
    clientId: str | None = Field(default=None, max_length=32)
    callerNumber: str | None = Field(
        default=None, max_length=64, description="Retell: the E.164 from_number; Vapi: the phoneNumberId"
    )
    audience: AudienceIn | None = None
    startsAt: datetime | None = Field(default=None, description="Start no earlier than (ISO 8601); none: at start")
    endsAt: datetime | None = None
    window: WindowIn | None = None
    maxConcurrent: int | None = Field(default=None, ge=1, le=campaigns.MAX_CONCURRENT)
    maxAttempts: int | None = Field(default=None, ge=1, le=campaigns.MAX_ATTEMPTS)
    retryDelayMinutes: int | None = Field(default=None, ge=0, le=campaigns.MAX_DELAY_MINUTES)
    retryOutcomes: list[Retried] | None = None
    leaveVoicemail: bool | None = None
    voicemailMessage: str | None = Field(default=None, max_length=1000)
    variables: dict[str, Annotated[str, Field(max_length=80)]] | None = Field(
        default=None,
        max_length=campaigns.MAX_VARIABLES,
        description="Dynamic variable → lead field (first_name, last_name, phone, email, company, timezone, "
        "custom.<name>)",
        examples=[{"first_name": "first_name", "plan": "custom.plan"}],
    )
    successRule: SuccessRuleIn | None = None

    def given(self) -> dict[str, Any]:
        names = {
            "name": "name",
            "clientId": "client_id",
            "agentId": "agent_id",
            "callerNumber": "caller_number",
            "startsAt": "starts_at",
            "endsAt": "ends_at",
            "maxConcurrent": "max_concurrent",
            "maxAttempts": "max_attempts",
            "retryDelayMinutes": "retry_delay_minutes",
            "retryOutcomes": "retry_outcomes",
            "leaveVoicemail": "leave_voicemail",
            "voicemailMessage": "voicemail_message",
            "variables": "variables",
        }
        out: dict[str, Any] = {names[k]: getattr(self, k) for k in self.model_fields_set if k in names}
        for key, service in (("audience", "audience"), ("window", "window"), ("successRule", "success_rule")):
            if key in self.model_fields_set:
                value = getattr(self, key)
                out[service] = value.model_dump(exclude_none=True) if value is not None else None
        return out


class CampaignIn(_CampaignFields):
    name: str = Field(max_length=campaigns.MAX_NAME, examples=["Spring renewals"])
    agentId: str = Field(max_length=128, description="The platform agent (Retell or Vapi) that places the calls")


class CampaignPatch(_CampaignFields):
    name: str | None = Field(default=None, max_length=campaigns.MAX_NAME)
    agentId: str | None = Field(default=None, max_length=128)

    @model_validator(mode="after")
    def _something(self) -> CampaignPatch:
        if not self.model_fields_set:
            raise ValueError("Give at least one field to change")
        return self


@router.get("", summary="List campaigns, newest first")
def list_campaigns(
    principal: PrincipalDep,
    session: SessionDep,
    pg: Annotated[Paging, Depends(page_only)],
    status: Status | None = None,
):
    rows, total = campaigns.list_campaigns(
        session, org=principal.org, actor=principal.actor, status=status, page=pg.page, per_page=pg.per_page
    )
    release(session)
    return ok_response([r.wire() for r in rows], page=pg.page, perPage=pg.per_page, total=total)


@router.post("", status_code=201, summary="Create a campaign (a draft)")
def create_campaign(body: CampaignIn, principal: PrincipalDep, session: SessionDep):
    """422 names each field at fault (`agentId`: not a Retell or Vapi agent, `callerNumber`, `window`, …)."""
    out = campaigns.create_campaign(session, org=principal.org, actor=principal.actor, given=body.given())
    session.commit()
    return ok(out.wire())


@router.get("/{campaign_id}", summary="One campaign, with its progress")
def get_campaign(campaign_id: str, principal: PrincipalDep, session: SessionDep):
    out = campaigns.get_campaign(session, org=principal.org, actor=principal.actor, campaign_id=campaign_id)
    release(session)
    return ok_response(out.wire())


@router.patch("/{campaign_id}", summary="Change a draft campaign (409 once started)")
def update_campaign(campaign_id: str, body: CampaignPatch, principal: PrincipalDep, session: SessionDep):
    out = campaigns.update_campaign(
        session, org=principal.org, actor=principal.actor, campaign_id=campaign_id, given=body.given()
    )
    session.commit()
    return ok(out.wire())


@router.delete("/{campaign_id}", summary="Delete a draft campaign (409 once started: cancel it instead)")
def delete_campaign(campaign_id: str, principal: PrincipalDep, session: SessionDep):
    out = campaigns.delete_campaign(session, org=principal.org, actor=principal.actor, campaign_id=campaign_id)
    session.commit()
    return ok(out.wire())


_ACTIONS = {
    "start": (campaigns.start_campaign, "Start: the leads are fixed now; scheduled when its start time is to come"),
    "pause": (campaigns.pause_campaign, "Pause: nothing more is dialed; calls in flight end on their own"),
    "resume": (campaigns.resume_campaign, "Resume a paused campaign"),
    "cancel": (campaigns.cancel_campaign, "Cancel for good"),
}


def _transition(action: str):
    service, summary = _ACTIONS[action]

    def run(campaign_id: str, principal: PrincipalDep, session: SessionDep):
        out = service(session, org=principal.org, actor=principal.actor, campaign_id=campaign_id)
        session.commit()
        return ok(out.wire())

    run.__name__ = f"{action}_campaign"
    router.add_api_route(
        f"/{{campaign_id}}/{action}",
        run,
        methods=["POST"],
        summary=f"{summary} (409 from a status that does not allow it)",
        name=f"{action}_campaign",
    )


for _action in _ACTIONS:
    _transition(_action)


@router.get("/{campaign_id}/stats", summary="Results: dials, outcome shares, conversions, score, cost, calls/hour")
def campaign_stats(campaign_id: str, principal: PrincipalDep, session: SessionDep):
    out = stats.campaign_stats(session, org=principal.org, actor=principal.actor, campaign_id=campaign_id)
    release(session)
    return ok_response(out.wire())


@router.get("/{campaign_id}/attempts", summary="The campaign's dial attempts, newest first")
def list_attempts(
    campaign_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    pg: Annotated[Paging, Depends(page_only)],
):
    rows, total = campaigns.list_attempts(
        session, org=principal.org, actor=principal.actor, campaign_id=campaign_id, page=pg.page, per_page=pg.per_page
    )
    release(session)
    return ok_response([r.wire() for r in rows], page=pg.page, perPage=pg.per_page, total=total)
