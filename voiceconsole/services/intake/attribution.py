"""Each stored call is attributed to the Agent Builder version live when it started (the latest deployment of
its agent at or before its start), so versions can be compared (services/builder/quality.py)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlmodel import Session, col

from voiceconsole.models import AgentDeployment, Call


def attribute_calls(session: Session, call_ids: list[int]) -> None:
    """Set each call's `agent_version`: the latest deployment of its agent at or before its start. Calls of
    agents never deployed from here keep none. One statement (a correlated subquery)."""
    if not call_ids:
        return
    live = (
        select(col(AgentDeployment.version))
        .where(
            col(AgentDeployment.agent_id) == col(Call.agent_id),
            col(AgentDeployment.deployed_at) <= col(Call.started_at),
        )
        .order_by(col(AgentDeployment.deployed_at).desc(), col(AgentDeployment.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    deployed_agents = select(col(AgentDeployment.agent_id)).distinct()
    session.execute(
        update(Call)
        .where(col(Call.id).in_(call_ids), col(Call.agent_id).in_(deployed_agents))
        .values(agent_version=live)
        .execution_options(synchronize_session=False)
    )
