"""Campaign events reach channels like any other: a signed webhook with the same envelope, and for people a
one-line campaign update on Slack, Discord and email (real local receivers, as in test_delivery.py)."""

from __future__ import annotations

import secrets

import pytest
from sqlmodel import select
from standardwebhooks.webhooks import Webhook

from tests.support.receivers import body_of, deliver_now, parts, verify_hex
from voiceconsole.models import Agent, Event
from voiceconsole.services.access.actor import SYSTEM
from voiceconsole.services.notifications.format import slack_message

pytestmark = pytest.mark.usefixtures("notify_settings")
UPDATE = "Spring reactivation paused: Retell refused the caller number · 2/3 leads dialed, 1 conversion"


def test_a_paused_campaign_is_a_signed_webhook_and_a_campaign_update_for_people(
    db, factory, receiver, mailbox, channels, notify_settings
):
    from sqlalchemy import update

    from voiceconsole.models import CampaignLead
    from voiceconsole.services.campaigns import campaigns
    from voiceconsole.services.campaigns.leads import create_lead

    org = factory.org()
    client = factory.client(org, name="Bright Smile Dental")
    integration = factory.integration(org, platform="retell")
    agent = Agent(
        organization_id=org.id,
        integration_id=integration.id,
        platform="retell",
        platform_agent_id=f"ag_{org.id}",
        name="Outbound",
    )
    db.add(agent)
    db.commit()
    for i in range(3):
        create_lead(db, org=org, actor=SYSTEM, given={"phone": f"+141555504{i:02d}", "tags": ["spring"]})
    events = ["campaign.paused", "campaign.started", "lead.converted"]
    hook, slack, discord = (f"/{name}-{secrets.token_hex(4)}" for name in ("hook", "slack", "discord"))
    made = channels.make(org, "webhook", url=receiver.url(hook), events=events)
    channels.make(org, "slack", url=receiver.url(slack), events=["campaign.paused"])
    channels.make(org, "discord", url=receiver.url(discord), events=["campaign.paused"], client=client)
    inbox = f"campaigns-{org.slug}@example.com"
    channels.make(org, "email", email=inbox, events=["campaign.paused"])

    given = {
        "name": "Spring reactivation",
        "client_id": client.public_id,
        "agent_id": agent.platform_agent_id,
        "caller_number": "+14155550100",
        "audience": {"kind": "tag", "tag": "spring"},
    }
    out = campaigns.create_campaign(db, org=org, actor=SYSTEM, given=given)
    campaigns.start_campaign(db, org=org, actor=SYSTEM, campaign_id=out.id)
    campaign = campaigns.find_campaign(db, org, out.id)
    rows = list(
        db.exec(select(CampaignLead.id).where(CampaignLead.campaign_id == campaign.id).order_by(CampaignLead.id))
    )
    db.exec(update(CampaignLead).where(CampaignLead.id.in_(rows[:2])).values(attempts=1))  # type: ignore[union-attr]
    db.exec(update(CampaignLead).where(CampaignLead.id == rows[0]).values(converted=True, state="done"))
    campaigns.pause_for(db, campaign, "Retell refused the caller number")
    db.commit()
    deliver_now()

    started, paused = receiver.wait_for(hook, 2)
    paused = paused if body_of(paused)["event"] == "campaign.paused" else started
    event = db.exec(select(Event).where(Event.organization_id == org.id, Event.type == "campaign.paused")).one()
    assert verify_hex(made.secret, paused) and Webhook(made.secret).verify(paused.body, paused.headers)
    body = body_of(paused)
    assert set(body) == {"id", "event", "timestamp", "data"} and body["id"] == event.public_id
    assert paused.headers["x-voiceconsole-event"] == "campaign.paused" == body["event"]
    assert body["data"] == event.payload
    assert (body["data"]["dialed"], body["data"]["converted"], body["data"]["pausedBy"]) == (2, 1, "system")

    (s,) = receiver.wait_for(slack, 1)
    message = body_of(s)
    assert message["text"].startswith(UPDATE)
    assert message["blocks"][0]["text"]["text"] == "Campaign paused: Spring reactivation"
    assert f"{notify_settings.base_url}/campaigns/{campaign.public_id}" in str(message["blocks"])

    (d,) = receiver.wait_for(discord, 1)  # the campaign's client: the client's channel gets it
    embed = body_of(d)["embeds"][0]
    assert embed["description"] == UPDATE and embed["color"] == 0xF1C40F
    assert {f["name"]: f["value"] for f in embed["fields"]}["Leads dialed"] == "2/3"

    (mail,) = mailbox.wait_for(inbox, 1)
    assert str(mail["Subject"]) == "[VoiceConsole] Campaign paused: Spring reactivation"
    assert UPDATE in parts(mail)["text/plain"]


@pytest.mark.parametrize(
    ("event_type", "says"),
    [
        ("campaign.started", "Spring reactivation (sample) started · 0/1,000 leads dialed, 0 conversions"),
        ("campaign.completed", "Spring reactivation (sample) completed · 1,000/1,000 leads dialed, 91 conversions"),
        ("lead.converted", "Jordan Sample converted on a Spring reactivation (sample) call."),
        ("lead.do_not_call", "Jordan Sample asked not to be called again on a Spring reactivation (sample) call"),
    ],
)
def test_every_campaign_event_has_a_sample_and_a_line_for_people(event_type, says):
    from voiceconsole.services.notifications.format import EVENT_TITLES, sample_payload

    data = sample_payload(event_type)
    assert data["test"] is True and event_type in EVENT_TITLES
    assert says in slack_message(event_type, data, "https://console.example.com")["text"]
