"""The demo organization: realistic agency traffic from the same generator the simulator serves."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, select

from voiceconsole.models import Agent, ApiKey, Client, Organization
from voiceconsole.platforms import retell, vapi
from voiceconsole.platforms.simulator.generator import DEMO_CLIENTS, generate_agents, generate_calls
from voiceconsole.services import accounts, api_keys
from voiceconsole.services.agents import recompute_agent_stats
from voiceconsole.services.errors import SYSTEM
from voiceconsole.services.ingest import upsert_agent, upsert_calls
from voiceconsole.services.scoring import score_stored_calls
from voiceconsole.settings import get_settings

DEMO_SLUG = "demo"
DEMO_KEY_NAME = "Demo key"
_MAPPERS = {"retell": retell, "vapi": vapi}
# (platform, agents, calls): a few thousand calls over 90 days.
DEMO_TRAFFIC = (("retell", 5, 1800), ("vapi", 4, 1200))


@dataclass
class DemoResult:
    organization: Organization
    login_url: str
    api_key: str
    created: bool


def load_demo_traffic(session: Session, *, org: Organization, seed: int = 7, scale: float = 1.0) -> int:
    clients = {}
    for demo_client in DEMO_CLIENTS:
        client = session.exec(select(Client).where(Client.organization_id == org.id,
                                                   Client.name == demo_client.name)).first()
        if client is None:
            client = Client(organization_id=org.id, name=demo_client.name)
            session.add(client)
            session.flush()
        clients[demo_client.name] = client
    stored = 0
    for i, (platform, n_agents, n_calls) in enumerate(DEMO_TRAFFIC):
        mapper = _MAPPERS[platform]
        raw_agents = generate_agents(platform, seed=seed + i, count=n_agents, clients=DEMO_CLIENTS)
        for raw in raw_agents:
            client = clients.get(raw.get("_client"))
            upsert_agent(session, org=org, record=mapper.map_agent(raw), client_id=client.id if client else None)
        calls = [mapper.map_call(raw) for raw in generate_calls(platform, raw_agents, seed=seed + 100 + i,
                                                                count=int(n_calls * scale))]
        for start in range(0, len(calls), 500):
            new_ids = upsert_calls(session, org=org, records=calls[start:start + 500]).new_call_ids
            score_stored_calls(session, call_ids=new_ids)  # the demo shows scores from the first page
            stored += len(new_ids)
    for agent_id in session.exec(select(Agent.id).where(Agent.organization_id == org.id)):
        recompute_agent_stats(session, agent_id=agent_id)
    return stored


def ensure_demo(session: Session) -> DemoResult:
    """Create the demo organization, user and data once; every run prints a fresh login link and key."""
    org = accounts.get_organization_by_slug(session, DEMO_SLUG)
    created = org is None
    if org is None:
        org = accounts.create_organization(session, name="Demo Agency", slug=DEMO_SLUG, plan="agency")
        org.is_demo = True
        load_demo_traffic(session, org=org)
    user = accounts.get_or_create_user(session, email=get_settings().demo_email, name="Demo User")
    accounts.ensure_membership(session, user=user, org=org, role="owner")
    # Keys are stored hashed, so a rerun replaces the demo key rather than piling up new ones.
    session.exec(delete(ApiKey).where(ApiKey.organization_id == org.id, ApiKey.name == DEMO_KEY_NAME))
    key = api_keys.create_api_key(session, org=org, name=DEMO_KEY_NAME, actor=SYSTEM)
    login_url = accounts.create_magic_link(session, email=user.email)
    session.flush()
    return DemoResult(organization=org, login_url=login_url, api_key=key.raw, created=created)
