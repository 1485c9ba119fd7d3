"""The demo organization: realistic agency traffic from the same generator the simulator serves."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy import delete
from sqlmodel import Session, col, select

from voiceconsole import enqueue
from voiceconsole.models import Agent, ApiKey, Client, Integration, NotificationChannel, Organization
from voiceconsole.models.types import id_column, pk
from voiceconsole.platforms import retell, vapi
from voiceconsole.platforms.simulator.generator import DEMO_CLIENTS, generate_agents, generate_calls
from voiceconsole.services import accounts, api_keys, integrations
from voiceconsole.services.access.actor import SYSTEM
from voiceconsole.services.agents import recompute_agent_stats
from voiceconsole.services.builder.demo import ensure_demo_builder_agent
from voiceconsole.services.campaigns.demo import ensure_demo_campaign
from voiceconsole.services.errors import DomainError
from voiceconsole.services.intake.store import upsert_agent, upsert_calls
from voiceconsole.services.notifications import channels
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
    inbox_url: str | None = None  # where the demo's notifications arrive (simulator inbox)


def load_demo_traffic(session: Session, *, org: Organization, seed: int = 7, scale: float = 1.0) -> int:
    clients: dict[str, Client] = {}
    for demo_client in DEMO_CLIENTS:
        client = session.exec(
            select(Client).where(Client.organization_id == org.id, Client.name == demo_client.name)
        ).first()
        if client is None:
            client = Client(organization_id=pk(org), name=demo_client.name)
            session.add(client)
            session.flush()
        clients[demo_client.name] = client
    stored = 0
    for i, (platform, n_agents, n_calls) in enumerate(DEMO_TRAFFIC):
        mapper = _MAPPERS[platform]
        raw_agents = generate_agents(platform, seed=seed + i, count=n_agents, clients=DEMO_CLIENTS)
        for raw in raw_agents:
            client_name = raw.get("_client")
            client = clients.get(client_name) if client_name is not None else None
            upsert_agent(session, org=org, record=mapper.map_agent(raw), client_id=client.id if client else None)
        # The generator's newest calls are still in progress; loaded here, no platform would ever end them
        # (a demo connected to the simulator gets them through its syncs, and they end there).
        calls = [
            record
            for raw in generate_calls(platform, raw_agents, seed=seed + 100 + i, count=int(n_calls * scale))
            if (record := mapper.map_call(raw)).status != "in_progress"
        ]
        for start in range(0, len(calls), 500):
            new_ids = upsert_calls(session, org=org, records=calls[start : start + 500]).new_call_ids
            score_stored_calls(session, call_ids=new_ids)  # the demo shows scores from the first page
            stored += len(new_ids)
    for agent_id in session.exec(select(id_column(Agent)).where(Agent.organization_id == org.id)):
        recompute_agent_stats(session, agent_id=agent_id)
    return stored


def ensure_demo(session: Session, *, simulator_url: str | None = None) -> DemoResult:
    """Create the demo organization, user and data once; every run prints a fresh login link and key.

    With `simulator_url` (a running `voiceconsole simulator`), the demo's agents and calls arrive through
    the real connectors instead: Retell and Vapi integrations pointing at the simulator, whose syncs are
    queued (a worker runs them). Without it, generated traffic is loaded directly, as before.
    """
    org = accounts.get_organization_by_slug(session, DEMO_SLUG)
    created = org is None
    if org is None:
        org = accounts.create_organization(session, name="Demo Agency", slug=DEMO_SLUG, plan="agency")
        org.is_demo = True
        if simulator_url is None:
            load_demo_traffic(session, org=org)
    user = accounts.get_or_create_user(session, email=get_settings().demo_email, name="Demo User")
    accounts.ensure_membership(session, user=user, org=org, role="owner")
    inbox_url = None
    if simulator_url is not None:
        inbox_url = ensure_demo_channels(session, org=org, simulator_url=simulator_url, email=user.email)
        connect_demo_to_simulator(session, org=org, simulator_url=simulator_url, queue_syncs=False)
        ensure_demo_builder_agent(session, org=org, simulator_url=simulator_url)  # before the syncs: its calls too
        ensure_demo_campaign(session, org=org)  # dialed by the worker's scheduler once it runs
        for integration in session.exec(
            select(Integration).where(Integration.organization_id == org.id, col(Integration.disconnected_at).is_(None))
        ):
            enqueue.sync(pk(integration))
    # Keys are stored hashed, so a rerun replaces the demo key rather than piling up new ones.
    session.exec(delete(ApiKey).where(col(ApiKey.organization_id) == org.id, col(ApiKey.name) == DEMO_KEY_NAME))
    key = api_keys.create_api_key(session, org=org, name=DEMO_KEY_NAME, actor=SYSTEM)
    login_url = accounts.create_magic_link(session, email=user.email)
    session.flush()
    return DemoResult(organization=org, login_url=login_url, api_key=key.key, created=created, inbox_url=inbox_url)


DEMO_CHANNELS = (  # (name, kind, inbox box): the simulator's inbox stands in for Slack, Discord, a receiver
    ("Demo webhook", "webhook", "webhook"),
    ("Demo Slack", "slack", "slack"),
    ("Demo Discord", "discord", "discord"),
)
DEMO_EVENTS = [
    "call.low_score",
    "agent.status_change",
    "daily_summary",
    "campaign.started",
    "campaign.paused",
    "campaign.completed",
]


def ensure_demo_channels(session: Session, *, org: Organization, simulator_url: str, email: str) -> str:
    """Notification channels for the demo (once): a signed webhook, Slack and Discord messages posted to
    the simulator's inbox, and an email to the demo user (printed in the worker log without SMTP).
    Returns the inbox page where they show up."""
    base = simulator_url.rstrip("/")
    existing = set(session.exec(select(NotificationChannel.name).where(NotificationChannel.organization_id == org.id)))
    for name, kind, box in DEMO_CHANNELS:
        if name not in existing:
            channels.create_channel(
                session, org=org, actor=SYSTEM, kind=kind, name=name, url=f"{base}/_sim/inbox/{box}", events=DEMO_EVENTS
            )
    if "Demo email" not in existing:
        channels.create_channel(
            session,
            org=org,
            actor=SYSTEM,
            kind="email",
            name="Demo email",
            email=email,
            events=["call.low_score", "daily_summary"],
        )
    session.flush()
    return f"{base}/_sim/inbox/view"


SIMULATED_PLATFORMS = ("retell", "vapi")


@dataclass
class DemoIntegration:
    platform: str
    integration_id: int
    public_id: str
    agents: int


def connect_demo_to_simulator(
    session: Session, *, org: Organization, simulator_url: str, queue_syncs: bool = True
) -> list[DemoIntegration]:
    """Connect the demo organization to a running simulator (Retell and Vapi), once.

    The simulator reports its keys at `/_sim/state`. The agents are listed right away (this is the CLI,
    not the web process) so they can be assigned to the demo clients their names start with; the calls
    come with the syncs, which are queued for the worker. Needs VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1
    for a simulator on this machine. The integrations are connected as anyone's are
    (`integrations.create_integration`: the simulator is asked whether it accepts each key first, and the
    transaction so far is committed before it is asked).
    """
    base = simulator_url.rstrip("/")
    try:
        platforms = httpx.get(f"{base}/_sim/state", timeout=10).raise_for_status().json()["platforms"]
        keys = {p: platforms[p]["api_key"] for p in SIMULATED_PLATFORMS}
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise RuntimeError(f"No platform simulator answers at {base} ({exc})") from exc
    clients = {c.name: c for c in session.exec(select(Client).where(Client.organization_id == org.id))}
    for demo_client in DEMO_CLIENTS:
        if demo_client.name not in clients:
            clients[demo_client.name] = Client(organization_id=pk(org), name=demo_client.name)
            session.add(clients[demo_client.name])
    session.flush()
    connected = []
    for platform in SIMULATED_PLATFORMS:
        url = f"{base}/{platform}"
        integration = session.exec(
            select(Integration).where(
                Integration.organization_id == org.id,
                Integration.platform == platform,
                Integration.base_url == url,
                col(Integration.disconnected_at).is_(None),
            )
        ).first()
        if integration is None:
            try:
                integration = integrations.create_integration(
                    session,
                    org=org,
                    platform=platform,
                    api_key=keys[platform],
                    label=f"Simulated {platform.title()}",
                    base_url=url,
                    actor=SYSTEM,
                )
            except DomainError as exc:  # bad input, or the simulator refused or did not answer the key check
                reasons = "; ".join(d["message"] for d in exc.details) or exc.message
                raise RuntimeError(f"Cannot connect to the simulator: {reasons}") from exc
        with integrations.connector_for(integration) as connector:
            records = connector.list_agents()
        for record in records:
            client = next((c for name, c in clients.items() if record.name.startswith(name)), None)
            upsert_agent(
                session, org=org, record=record, integration_id=integration.id, client_id=client.id if client else None
            )
        session.flush()
        connected.append(DemoIntegration(platform, pk(integration), integration.public_id, len(records)))
    session.commit()  # the sync jobs must find the integrations
    if queue_syncs:
        for item in connected:
            enqueue.sync(item.integration_id)
    return connected
