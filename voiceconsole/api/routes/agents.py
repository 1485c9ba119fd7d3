from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import ConfigDict, Field, StrictBool

from voiceconsole.api.deps import PrincipalDep, SessionDep, release
from voiceconsole.api.envelope import ok, ok_response
from voiceconsole.api.inputs import RequestBody
from voiceconsole.api.params import Paging, paging
from voiceconsole.services import agents as agents_service
from voiceconsole.services.billing import monitoring

router = APIRouter(prefix="/agents", tags=["agents"])

AgentSort = Literal["name", "totalCalls", "avgScore", "avgDuration", "totalCost", "lastCallAt"]


@router.get("", summary="List agents with calls, average score, duration and cost")
def list_agents(
    principal: PrincipalDep,
    session: SessionDep,
    pg: Annotated[Paging, Depends(paging)],
    sort_by: Annotated[AgentSort, Query(alias="sortBy")] = "totalCalls",
    platform: Literal["retell", "vapi", "elevenlabs"] | None = None,
    status: Literal["online", "offline"] | None = None,
    client_id: Annotated[str | None, Query(alias="clientId", max_length=32)] = None,
):
    rows, total = agents_service.list_agents(
        session,
        org=principal.org,
        page=pg.page,
        per_page=pg.per_page,
        sort_by=sort_by,
        sort_order=pg.sort_order,
        platform=platform,
        status=status,
        client_id=client_id,
        actor=principal.actor,
    )
    release(session)
    return ok_response([r.wire() for r in rows], page=pg.page, perPage=pg.per_page, total=total)


PeriodRange = Annotated[
    Literal["7d", "30d", "90d"],
    Query(alias="range", description="Period of the `period` figures: the last N UTC days, today included"),
]
PERIOD_DOC = (
    "`period` holds the figures of the last N days (`range`, default 30d) from the daily rollups: calls, "
    "successRate (fraction 0–1 of ended calls flagged successful), avgScore with previousAvgScore and "
    "scoreChange (percent change against the N days before), avgDuration (s), cost (USD), "
    "costPerMinute (cost per minute of ended calls' duration), costPerSuccessfulCall."
)


@router.get("/stats", summary="Aggregated agent performance for the dashboard", description=PERIOD_DOC)
def agent_stats(principal: PrincipalDep, session: SessionDep, range_: PeriodRange = "30d"):
    data, meta = agents_service.agents_overview(session, org=principal.org, actor=principal.actor, range_=range_)
    return ok_response(data.wire(), **meta.wire())


@router.get("/{agent_id}", summary="Agent detail with recent calls, score trend and cost", description=PERIOD_DOC)
def get_agent(agent_id: str, principal: PrincipalDep, session: SessionDep, range_: PeriodRange = "30d"):
    return ok_response(
        agents_service.get_agent(
            session, org=principal.org, agent_id=agent_id, actor=principal.actor, range_=range_
        ).wire()
    )


class MonitoringIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    monitored: StrictBool = Field(
        description="true: monitor this agent (it takes one of the plan's agents); false: stop"
    )


MONITORING_DOC = (
    "Calls of an agent that is not monitored are neither imported, scored nor alerted; `reason` says why "
    "(the plan's limit, or the agency turned it off). `monitoring` is the agency's choice: `auto` (the most "
    "active agents, as many as the plan includes), `on` or `off`. Turning an agent on imports its past calls "
    "from the platform; when every agent the plan includes was turned on, it is refused with 403 "
    '`{"error": "Plan limit reached", "details": [{"field": "monitored", "message": "Free includes 1 '
    'monitored agent. Upgrade to Pro for 15."}]}`. Changing it: owners and admins.'
)


@router.get(
    "/{agent_id}/monitoring", summary="Whether the agent's calls are monitored, and why not", description=MONITORING_DOC
)
def get_monitoring(agent_id: str, principal: PrincipalDep, session: SessionDep):
    status = monitoring.get_monitoring(session, org=principal.org, actor=principal.actor, agent_id=agent_id)
    return ok_response(status.wire())


@router.put(
    "/{agent_id}/monitoring", summary="Monitor an agent, or stop (owners and admins)", description=MONITORING_DOC
)
def set_monitoring(agent_id: str, body: MonitoringIn, principal: PrincipalDep, session: SessionDep):
    status = monitoring.set_monitoring(
        session, org=principal.org, actor=principal.actor, agent_id=agent_id, monitored=body.monitored
    )
    session.commit()
    return ok(status.wire())
