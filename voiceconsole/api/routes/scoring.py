"""Scoring settings (weights, alert thresholds) per organization, client and agent; call coaching."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt, WithJsonSchema

from voiceconsole.api.deps import PrincipalDep, SessionDep
from voiceconsole.api.envelope import ok
from voiceconsole.api.errors import ApiError
from voiceconsole.api.inputs import RequestBody
from voiceconsole.services import scoring as score_settings
from voiceconsole.services.scoring import UNSET
from voiceconsole.services.scoring import coaching as coaching_service

router = APIRouter(tags=["scoring"])

Threshold = Annotated[StrictInt, Field(ge=0, le=100, description="Alert when a call scores below this (0–100)")]
WEIGHTS_DOC = (
    "Category weights, whole numbers adding up to 100: "
    '{"duration": 20, "sentiment": 25, "outcome": 35, "engagement": 20}'
)
POLL_SECONDS = 3


_THRESHOLD_SCHEMA = {"type": "integer", "minimum": 0, "maximum": 100, "description": "Alert below this score"}
# At least one of the fields: a body that changes nothing is refused (422 naming `body`).
_SOME = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})


class OrgScoringIn(RequestBody):
    model_config = _SOME
    weights: dict[str, Any] | None = Field(default=None, description=WEIGHTS_DOC + "; null restores the defaults")
    # Not nullable: an organization always has a threshold (the schema says so; null is refused with 422).
    alertThreshold: Annotated[Threshold | None, WithJsonSchema(_THRESHOLD_SCHEMA)] = Field(  # camelCase: wire name
        default=None, examples=[60]
    )


class ClientScoringIn(RequestBody):
    model_config = _SOME
    weights: dict[str, Any] | None = Field(default=None, description=WEIGHTS_DOC + "; null uses the organization's")
    alertThreshold: Threshold | None = Field(default=None, description="null uses the organization's")


class AgentScoringIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    alertThreshold: Threshold | None = Field(description="null uses the client's, else the organization's")


def _given(body: BaseModel, name: str) -> Any:
    return getattr(body, name) if name in body.model_fields_set else UNSET


def _require_some(body: BaseModel) -> None:
    if not body.model_fields_set:
        raise ApiError(422, "Validation failed", [{"field": "body", "message": "Give weights and/or alertThreshold"}])


@router.get("/settings/scoring", summary="Score weights, alert threshold, overrides, AI mode and credits")
def get_scoring_settings(principal: PrincipalDep, session: SessionDep):
    return ok(score_settings.scoring_settings(session, org=principal.org, actor=principal.actor).wire())


@router.put("/settings/scoring", summary="Change the organization's score weights and/or alert threshold")
def put_scoring_settings(body: OrgScoringIn, principal: PrincipalDep, session: SessionDep):
    _require_some(body)
    if "alertThreshold" in body.model_fields_set and body.alertThreshold is None:
        raise ApiError(
            422, "Validation failed", [{"field": "alertThreshold", "message": "Must be a whole number from 0 to 100"}]
        )
    rescoring = score_settings.update_org_scoring(
        session,
        org=principal.org,
        actor=principal.actor,
        weights=_given(body, "weights"),
        alert_threshold=_given(body, "alertThreshold"),
    )
    session.commit()  # the rescoring job is queued once this commits
    return ok(
        score_settings.scoring_settings(session, org=principal.org, actor=principal.actor).wire(), rescoring=rescoring
    )


@router.get("/clients/{client_id}/scoring", summary="A client's score weights and alert threshold")
def get_client_scoring(client_id: str, principal: PrincipalDep, session: SessionDep):
    return ok(
        score_settings.client_scoring(session, org=principal.org, client_id=client_id, actor=principal.actor).wire()
    )


@router.put("/clients/{client_id}/scoring", summary="Override (or clear with null) a client's weights and threshold")
def put_client_scoring(client_id: str, body: ClientScoringIn, principal: PrincipalDep, session: SessionDep):
    _require_some(body)
    data, rescoring = score_settings.update_client_scoring(
        session,
        org=principal.org,
        client_id=client_id,
        actor=principal.actor,
        weights=_given(body, "weights"),
        alert_threshold=_given(body, "alertThreshold"),
    )
    session.commit()
    return ok(data.wire(), rescoring=rescoring)


@router.get("/agents/{agent_id}/scoring", summary="An agent's alert threshold")
def get_agent_scoring(agent_id: str, principal: PrincipalDep, session: SessionDep):
    return ok(score_settings.agent_scoring(session, org=principal.org, agent_id=agent_id, actor=principal.actor).wire())


@router.put("/agents/{agent_id}/scoring", summary="Override (or clear with null) an agent's alert threshold")
def put_agent_scoring(agent_id: str, body: AgentScoringIn, principal: PrincipalDep, session: SessionDep):
    data = score_settings.update_agent_scoring(
        session, org=principal.org, agent_id=agent_id, actor=principal.actor, alert_threshold=body.alertThreshold
    )
    session.commit()
    return ok(data.wire())


@router.get(
    "/calls/{call_id}/coaching",
    summary="Coaching for a call: what went well, what went wrong",
    responses={202: {"description": "AI coaching is being prepared: poll again"}},
)
def get_call_coaching(call_id: str, principal: PrincipalDep, session: SessionDep):
    view = coaching_service.get_coaching(session, org=principal.org, call_id=call_id, actor=principal.actor)
    session.commit()  # local coaching is cached on first request
    if view.status == "pending":
        return JSONResponse(
            ok(view.wire(), retryAfter=POLL_SECONDS), status_code=202, headers={"Retry-After": str(POLL_SECONDS)}
        )
    return ok(view.wire())
