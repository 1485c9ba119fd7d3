"""The demo's campaign: leads in eight time zones and a running outbound campaign on the simulated Retell account,
so `make run` shows a campaign making progress (the scheduler's dispatcher dials them; the simulator's calls end
over a few minutes and come back by webhook and sync).

The calling window, 08:00–21:00 every day in each lead's own time, is open somewhere among these zones at any hour
of the day, so the demo has someone to call whenever it is started."""

from __future__ import annotations

from sqlmodel import Session, col, select

from voiceconsole.models import Agent, Campaign, Integration, Organization
from voiceconsole.services.access.actor import SYSTEM
from voiceconsole.services.campaigns import campaigns
from voiceconsole.services.campaigns.leads import create_lead
from voiceconsole.services.errors import Conflict

DEMO_CAMPAIGN_NAME = "Spring check-up reminders"
DEMO_TAG = "spring-checkups"
DEMO_CALLER = "+14155550100"
LEADS_PER_ZONE = 20
# (time zone, number prefix, digits to append): fictional or drama ranges where the country has one.
DEMO_ZONES = (
    ("America/New_York", "+1212555", 4),
    ("America/Chicago", "+1312555", 4),
    ("America/Los_Angeles", "+1415555", 4),
    ("Europe/London", "+44207946", 4),
    ("Europe/Berlin", "+49309018", 4),
    ("Asia/Tokyo", "+813123", 5),
    ("Asia/Singapore", "+656123", 4),
    ("Australia/Sydney", "+61491570", 3),
)
_FIRST = ("Ada", "Ben", "Chloé", "Dmitri", "Emi", "Farah", "Gus", "Hana", "Iker", "Jun")
_LAST = ("Okafor", "Lindqvist", "Tanaka", "Moreau", "Schmidt", "Lee", "Brown", "Rossi", "Nguyen", "Walsh")


def _number(prefix: str, digits: int, i: int) -> str:
    # North American 555-01xx numbers are the fictional ones; elsewhere the tail is made up.
    tail = f"01{i:02d}" if prefix.startswith("+1") else f"{100 + i:0{digits}d}"[-digits:]
    return prefix + tail


def ensure_demo_campaign(session: Session, *, org: Organization) -> str | None:
    """Create and start the campaign once; its public id (None without a connected Retell agent)."""
    existing = session.exec(
        select(Campaign).where(Campaign.organization_id == org.id, Campaign.name == DEMO_CAMPAIGN_NAME)
    ).first()
    if existing is not None:
        return existing.public_id
    agent = session.exec(
        select(Agent)
        .join(Integration, col(Integration.id) == Agent.integration_id)
        .where(
            Agent.organization_id == org.id,
            Agent.platform == "retell",
            col(Integration.disconnected_at).is_(None),
        )
        .order_by(col(Agent.id))
    ).first()
    if agent is None:
        return None
    for zone_index, (zone, prefix, digits) in enumerate(DEMO_ZONES):
        for i in range(LEADS_PER_ZONE):
            seq = zone_index * LEADS_PER_ZONE + i
            given = {
                "phone": _number(prefix, digits, i),
                "first_name": _FIRST[seq % len(_FIRST)],
                "last_name": _LAST[(seq // len(_FIRST)) % len(_LAST)],
                "timezone": zone,
                "tags": [DEMO_TAG],
                "custom_fields": {"last_visit": f"{(seq % 11) + 6} months ago"},
            }
            try:
                create_lead(session, org=org, actor=SYSTEM, given=given)
            except Conflict:  # the number has a lead already (a rerun after a partial first one)
                continue
    out = campaigns.create_campaign(
        session,
        org=org,
        actor=SYSTEM,
        given={
            "name": DEMO_CAMPAIGN_NAME,
            "agent_id": agent.platform_agent_id,
            "caller_number": DEMO_CALLER,
            "audience": {"kind": "tag", "tag": DEMO_TAG},
            "window": {"days": [1, 2, 3, 4, 5, 6, 7], "start": "08:00", "end": "21:00"},
            "max_concurrent": 4,
            "max_attempts": 3,
            "retry_delay_minutes": 30,
            "retry_outcomes": ["no_answer", "busy", "voicemail"],
            "leave_voicemail": True,
            "variables": {"first_name": "first_name", "last_visit": "custom.last_visit"},
            "success_rule": {"kind": "successful"},
        },
    )
    campaigns.start_campaign(session, org=org, actor=SYSTEM, campaign_id=out.id)
    session.flush()
    return out.id
