"""Analytics: KPIs, trends against the previous period, time series, and the portfolio board."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from voiceconsole.api.deps import PrincipalDep, SessionDep
from voiceconsole.api.envelope import ok_response
from voiceconsole.services import analytics as analytics_service

router = APIRouter(prefix="/analytics", tags=["analytics"])

Range = Literal["7d", "30d", "90d", "custom"]
DATE_DOC = (
    "ISO 8601 date-time (UTC when no zone) or a date: a date means its start for dateFrom and its "
    "end (the whole day included) for dateTo"
)
AgentId = Annotated[str | None, Query(alias="agentId", max_length=128, description="The platform's agent id")]
ClientId = Annotated[str | None, Query(alias="clientId", max_length=32, description="A client id (cli_…)")]

ANALYTICS_DOC = """
KPIs of the calls that **started** in the period, their change against the previous period of equal
length, and a time series for charts (per UTC day; per hour for custom ranges under 2 days).

- `range`: `7d`, `30d`, `90d` = the last N UTC days including today up to now; `custom` = `[dateFrom, dateTo)`,
  `dateFrom` required, `dateTo` defaulting to now, at most 731 days. `dateFrom`/`dateTo` with a preset: 422.
- `agentId` (the platform's agent id) and `clientId` narrow the calls; an unknown id, or another
  organization's, is answered 404. Client viewers always see their own client only.
- `totalCalls`: calls of any status. `successRate`: the fraction (0–1, e.g. `0.78`) of **ended** calls the
  platform flagged successful (calls with no flag count as not successful). `avgScore`: mean call score, leaving out
  unscored calls and calls scored 0 for having no transcript. `avgDuration`: mean seconds of ended calls.
  `totalCost`: USD. `sentimentBreakdown`: call counts by platform sentiment. `scoreDistribution`: scored
  calls per band (excellent 80–100, good 60–79, attention 40–59, poor 0–39).
- `trends.{calls,successRate,score,duration,cost}`: `{current, previous, change}`, `change` = percent change
  against the previous period (null when the previous value is 0 or null).
- `series`: one point per bucket, `{t, calls, avgScore, cost, successRate}`; `t` is `YYYY-MM-DD` or an
  ISO hour `YYYY-MM-DDTHH:00:00Z`. Empty buckets have `calls: 0`.
- `meta`: `{range, from, to, previousFrom, previousTo, granularity}` (ISO 8601, `Z`).
"""


@router.get("", summary="Call KPIs, trends and time series for a period", description=ANALYTICS_DOC)
def get_analytics(
    principal: PrincipalDep,
    session: SessionDep,
    range_: Annotated[Range, Query(alias="range")] = "30d",
    date_from: Annotated[str | None, Query(alias="dateFrom", max_length=40, description=DATE_DOC)] = None,
    date_to: Annotated[str | None, Query(alias="dateTo", max_length=40, description=DATE_DOC)] = None,
    agent_id: AgentId = None,
    client_id: ClientId = None,
):
    data, meta = analytics_service.analytics(
        session,
        org=principal.org,
        range_=range_,
        date_from=date_from,
        date_to=date_to,
        agent_id=agent_id,
        client_id=client_id,
        actor=principal.actor,
    )
    return ok_response(data.wire(), **meta.wire())


@router.get("/portfolio", summary="Clients and agents ranked by health (week over week), worst first")
def get_portfolio(principal: PrincipalDep, session: SessionDep, agent_id: AgentId = None, client_id: ClientId = None):
    """Health = average call score over the last 7 UTC days (today included); `healthChange` is the
    difference in points against the 7 days before. Rows without scored calls this week come last."""
    scope = analytics_service.resolve_scope(
        session, org=principal.org, agent_id=agent_id, client_id=client_id, actor=principal.actor
    )
    board = analytics_service.portfolio(session, org=principal.org, scope=scope, actor=principal.actor)
    wire = board.wire()
    return ok_response(
        {"clients": wire["clients"], "agents": wire["agents"]}, **{"from": wire["from"], "to": wire["to"]}
    )
