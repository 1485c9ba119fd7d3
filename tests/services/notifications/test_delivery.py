"""Outbound notifications in this process, against real local receivers (HTTP and SMTP on 127.0.0.1).

The fan-out and the pump run here (`deliver_now`: the same functions the notify jobs run), so each
test controls exactly when sending happens; tests/jobs/test_notification_worker.py runs them through a
real RQ worker.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.support.receivers import (
    body_of,
    deliver_now,
    parts,
    record,
    verify_hex,
)
from voiceconsole.models import Delivery, DeliveryAttempt, Event, NotificationChannel
from voiceconsole.models.types import utcnow
from voiceconsole.services.access.actor import SYSTEM
from voiceconsole.services.errors import Conflict
from voiceconsole.services.notifications import channels as nc
from voiceconsole.services.notifications import deliveries as nd
from voiceconsole.services.notifications.events import record_call_events

pytestmark = pytest.mark.usefixtures("notify_settings")


def _path(name: str) -> str:
    import secrets

    return f"/{name}-{secrets.token_hex(4)}"


def _deliveries(db, channel_public_id: str) -> list[Delivery]:
    db.expire_all()
    channel = db.exec(select(NotificationChannel).where(NotificationChannel.public_id == channel_public_id)).one()
    return list(db.exec(select(Delivery).where(Delivery.channel_id == channel.id).order_by(Delivery.id)))


def _channel(db, public_id: str) -> NotificationChannel:
    db.expire_all()
    return db.exec(select(NotificationChannel).where(NotificationChannel.public_id == public_id)).one()


# --------------------------------------------------------------------------------------------------
# Signed webhooks
# --------------------------------------------------------------------------------------------------


def test_webhook_is_signed_so_a_receiver_that_knows_only_the_secret_can_verify_it(db, factory, receiver, channels):
    org = factory.org()
    agent = factory.agent(org, name="Front desk")
    call = factory.call(org, agent, score=41, summary="Caller asked for a refund.")
    path = _path("signed")
    made = channels.make(org, "webhook", url=receiver.url(path), events=["call.completed"])
    assert made.secret.startswith("whsec_")
    record_call_events(db, organization_id=org.id, type="call.completed", call_ids=[call.id])
    db.commit()
    event = db.exec(select(Event).where(Event.organization_id == org.id)).one()
    deliver_now()
    (req,) = receiver.wait_for(path, 1)

    assert verify_hex(made.secret, req)  # hex HMAC-SHA256 of the raw body, key = the whole whsec_ string
    body = body_of(req)
    assert body["id"] == event.public_id and body["event"] == "call.completed"
    assert body["timestamp"] == req.headers["x-voiceconsole-timestamp"]  # so the signature covers it
    assert req.headers["x-voiceconsole-event"] == "call.completed"
    assert body["data"]["callId"] == call.public_id and body["data"]["callScore"] == 41
    assert body["data"]["agentName"] == "Front desk" and body["data"]["summary"] == "Caller asked for a refund."
    # The Standard Webhooks reference library accepts the very same request.
    verified = Webhook(made.secret).verify(req.body, req.headers)
    assert verified["id"] == event.public_id
    assert req.headers["webhook-id"] == event.public_id
    # A tampered body fails both.
    req.body = req.body.replace(b"41", b"99")
    assert not verify_hex(made.secret, req)
    with pytest.raises(WebhookVerificationError):
        Webhook(made.secret).verify(req.body, req.headers)
    (delivery,) = _deliveries(db, made.id)
    assert delivery.status == "succeeded" and delivery.attempts == 1 and delivery.last_status_code == 200


def test_after_rotation_old_and_new_secrets_both_verify_for_24_hours_then_only_the_new(db, factory, receiver, channels):
    org = factory.org()
    path = _path("rotate")
    made = channels.make(org, "webhook", url=receiver.url(path), events=["agent.status_change"])
    old = made.secret
    rotated = nc.rotate_secret(db, org=org, channel_id=made.id, actor=SYSTEM)
    db.commit()
    new = rotated.secret
    assert new != old and rotated.previous_secret_expires_at > utcnow() + timedelta(hours=23)

    record(db, org, "agent.status_change", {"agentId": "a1", "agentName": "Desk", "status": "offline"})
    deliver_now()
    (req,) = receiver.wait_for(path, 1)
    assert verify_hex(new, req)
    assert Webhook(new).verify(req.body, req.headers) and Webhook(old).verify(req.body, req.headers)
    previous_hex = req.headers["x-voiceconsole-signature-previous"]
    req.headers["x-voiceconsole-signature"] = previous_hex
    assert verify_hex(old, req)

    # 24 hours later (moved through the stored expiry) the old secret no longer signs.
    channel = _channel(db, made.id)
    channel.previous_secret_expires_at = utcnow() - timedelta(seconds=1)
    db.add(channel)
    db.commit()
    record(db, org, "agent.status_change", {"agentId": "a1", "agentName": "Desk", "status": "online"})
    deliver_now()
    second = receiver.wait_for(path, 2)[1]
    assert verify_hex(new, second) and Webhook(new).verify(second.body, second.headers)
    assert "x-voiceconsole-signature-previous" not in second.headers
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(second.body, second.headers)


# --------------------------------------------------------------------------------------------------
# Slack, Discord, email
# --------------------------------------------------------------------------------------------------


def test_slack_discord_and_email_get_the_event_formatted_for_people(
    db, factory, receiver, mailbox, channels, notify_settings
):
    org = factory.org()
    client = factory.client(org, name="Bright Smile Dental")
    agent = factory.agent(org, name="Front desk", client=client)
    call = factory.call(
        org,
        agent,
        score=38,
        sentiment="Negative",
        duration_ms=184_000,
        summary="Caller wanted to cancel and asked for a manager.",
    )
    slack_path, discord_path = _path("slack"), _path("discord")
    events = ["call.low_score"]
    slack = channels.make(org, "slack", url=receiver.url(slack_path), events=events)
    discord = channels.make(org, "discord", url=receiver.url(discord_path), events=events)
    inbox = f"alerts-{org.slug}@example.com"
    channels.make(org, "email", email=inbox, events=events)
    record_call_events(db, organization_id=org.id, type="call.low_score", call_ids=[call.id])
    db.commit()
    stats = deliver_now()
    assert stats.succeeded >= 3
    call_link = f"{notify_settings.base_url}/calls/{call.public_id}"

    (s,) = receiver.wait_for(slack_path, 1)
    message = body_of(s)
    assert "38/100" in message["text"] and call_link in message["text"]
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds[0] == "header" and "section" in kinds and "actions" in kinds
    flat = str(message["blocks"])
    for shown in ("38/100", "Front desk", "Bright Smile Dental", "3m 04s", "Negative", "asked for a manager"):
        assert shown in flat
    button = message["blocks"][-1]["elements"][0]
    assert button["url"] == call_link

    (d,) = receiver.wait_for(discord_path, 1)
    embed = body_of(d)["embeds"][0]
    assert embed["url"] == call_link and "38/100" in embed["title"]
    assert embed["color"] == 0xE74C3C  # red band
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Agent"] == "Front desk" and fields["Client"] == "Bright Smile Dental"
    assert "asked for a manager" in embed["description"]

    (mail,) = mailbox.wait_for(inbox, 1)
    body = parts(mail)
    assert "38/100" in str(mail["Subject"])
    assert call_link in body["text/plain"] and "Bright Smile Dental" in body["text/plain"]
    assert call_link in body["text/html"] and "<table" in body["text/html"]
    assert {d.status for d in _deliveries(db, slack.id) + _deliveries(db, discord.id)} == {"succeeded"}


# --------------------------------------------------------------------------------------------------
# Fan-out rules
# --------------------------------------------------------------------------------------------------


def test_fan_out_follows_type_client_and_time_rules(db, factory, receiver, channels):
    from voiceconsole.services.notifications.fanout import fan_out_all

    org, other = factory.org(), factory.org()
    a, b = factory.client(org), factory.client(org)
    url = receiver.url(_path("fanout"))
    everything = channels.make(org, "webhook", url=url, events=["call.completed", "daily_summary"])
    only_a = channels.make(
        org, "webhook", url=url, events=["call.completed", "daily_summary"], client=a, summary_hour=7
    )
    lows = channels.make(org, "webhook", url=url, events=["call.low_score"])
    foreign = channels.make(other, "webhook", url=url, events=["call.completed"])

    record(db, org, "call.completed", {"callId": "cl_1", "clientId": a.public_id})
    record(db, org, "call.completed", {"callId": "cl_2", "clientId": b.public_id})
    record(db, org, "call.completed", {"callId": "cl_3", "clientId": None})
    record(db, org, "daily_summary", {"date": "2026-02-12", "clientId": None, "hour": 8})
    record(db, org, "daily_summary", {"date": "2026-02-12", "clientId": a.public_id, "hour": 7})
    record(db, org, "daily_summary", {"date": "2026-02-12", "clientId": a.public_id, "hour": 8})
    fan_out_all()

    def got(made):
        ids = [d.event_id for d in _deliveries(db, made.id)]
        return sorted(
            db.get(Event, i).payload.get("callId")
            or f"summary:{db.get(Event, i).payload['clientId']}:{db.get(Event, i).payload['hour']}"
            for i in ids
        )

    assert got(everything) == ["cl_1", "cl_2", "cl_3", "summary:None:8"]
    assert got(only_a) == ["cl_1", f"summary:{a.public_id}:7"]
    assert got(lows) == [] and got(foreign) == []

    # A channel created after an event does not get it; a paused channel gets it held.
    nc.update_channel(db, org=org, channel_id=lows.id, actor=SYSTEM, events=["call.completed"])
    db.commit()
    later = channels.make(org, "webhook", url=url, events=["call.completed"])
    channel = _channel(db, lows.id)
    channel.status = "paused"
    db.add(channel)
    db.commit()
    record(db, org, "call.completed", {"callId": "cl_4", "clientId": None})
    fan_out_all()
    assert got(later) == ["cl_4"]
    assert [d.status for d in _deliveries(db, lows.id)] == ["held"]
    assert fan_out_all() == (0, 0)  # everything dispatched once


def test_events_recorded_before_a_crash_are_dispatched_once_even_by_two_fan_outs_at_once(db, factory, channels):
    from voiceconsole.services.notifications.fanout import fan_out_all

    org = factory.org()
    made = channels.make(org, "webhook", url="http://127.0.0.1:9/never", events=["call.new"])
    for i in range(40):
        record(db, org, "call.new", {"callId": f"cl_{i}"})
    threads = [threading.Thread(target=fan_out_all) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deliveries = _deliveries(db, made.id)
    assert len(deliveries) == 40 and len({d.event_id for d in deliveries}) == 40


# --------------------------------------------------------------------------------------------------
# Failures, retries, pausing, resuming
# --------------------------------------------------------------------------------------------------


def test_failures_are_logged_retried_with_backoff_and_finally_failed(db, factory, receiver, channels):
    org = factory.org()
    path = _path("fails")
    receiver.respond(path, 503, body=b"maintenance" * 100)
    made = channels.make(org, "webhook", url=receiver.url(path), events=["call.new"])
    record(db, org, "call.new", {"callId": "cl_x"})
    t0 = utcnow()
    deliver_now()
    (delivery,) = _deliveries(db, made.id)
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.last_status_code == 503
    assert delivery.next_attempt_at >= t0 + timedelta(seconds=1)  # the schedule's first step ("1,2")
    (attempt,) = db.exec(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery.id)).all()
    assert attempt.status_code == 503 and not attempt.succeeded and attempt.error == "HTTP 503"
    assert len(attempt.response_snippet) == 500 and attempt.response_snippet.startswith("maintenance")
    assert attempt.latency_ms is not None

    # Run out the schedule: 1 + 2 retries, then failed, the same event id every time.
    for _ in range(2):
        db.expire_all()
        delivery = db.get(Delivery, delivery.id)
        delivery.next_attempt_at = utcnow()
        db.add(delivery)
        db.commit()
        deliver_now()
    (delivery,) = _deliveries(db, made.id)
    assert delivery.status == "failed" and delivery.attempts == 3
    ids = {body_of(r)["id"] for r in receiver.at(path)}
    assert len(receiver.at(path)) == 3 and len(ids) == 1
    items, total = nd.list_deliveries(db, org=org, channel_id=made.id, actor=SYSTEM)
    assert total == 1 and [a.attempt for a in items[0].attempt_log] == [1, 2, 3]
    assert _channel(db, made.id).consecutive_failures == 3


def test_five_consecutive_failures_pause_the_channel_hold_its_events_and_alert_the_owner(
    db, factory, receiver, mailbox, channels
):
    from rq import SimpleWorker

    from voiceconsole.enqueue import get_queue
    from voiceconsole.redis_client import get_redis

    org = factory.org()
    owner, _ = factory.user_session(org, role="owner", email=f"owner-{org.slug}@example.com")
    admin, _ = factory.user_session(org, role="admin", email=f"admin-{org.slug}@example.com")
    path = _path("pause")
    made = channels.make(org, "webhook", url=receiver.url(path), events=["call.new"], name="Zapier hook")
    record(db, org, "call.new", {"callId": "cl_ok_1"})
    record(db, org, "call.new", {"callId": "cl_ok_2"})
    deliver_now()
    assert len(receiver.wait_for(path, 2)) == 2

    receiver.respond(path, 500)
    for i in range(5):
        record(db, org, "call.new", {"callId": f"cl_fail_{i}"})
    stats = deliver_now()
    assert stats.paused == [made.id]
    channel = _channel(db, made.id)
    assert channel.status == "paused" and channel.consecutive_failures == 5 and "HTTP 500" in channel.pause_reason
    statuses = sorted(d.status for d in _deliveries(db, made.id))
    assert statuses == ["held"] * 5 + ["succeeded"] * 2
    # The owner (not the admin) is told which channel, why and how to resume.
    SimpleWorker([get_queue("notify")], connection=get_redis()).work(burst=True)
    (alert,) = mailbox.wait_for(owner.email, 1, subject="paused")
    text = parts(alert)["text/plain"]
    assert "Zapier hook" in text and "HTTP 500" in text and "/settings/integrations" in text and "Resume" in text
    assert mailbox.to(admin.email) == []

    # While paused nothing is sent; new events wait.
    before = len(receiver.at(path))
    record(db, org, "call.new", {"callId": "cl_while_paused"})
    deliver_now()
    assert len(receiver.at(path)) == before
    with pytest.raises(Conflict):
        nd.send_test_event(db, org=org, channel_id=made.id, actor=SYSTEM)
    db.rollback()

    # Resume: every held event arrives exactly once; the two delivered before are not sent again.
    receiver.respond(path, 200)
    resumed = nd.resume_channel(db, org=org, channel_id=made.id, actor=SYSTEM)
    db.commit()
    assert resumed.status == "active" and resumed.consecutive_failures == 0
    deliver_now()
    got = [body_of(r)["data"]["callId"] for r in receiver.at(path) if r.headers.get("x-voiceconsole-event")]
    delivered = [c for c in got[before:]]
    assert sorted(delivered) == sorted([f"cl_fail_{i}" for i in range(5)] + ["cl_while_paused"])
    assert got.count("cl_ok_1") == 1 and got.count("cl_ok_2") == 1
    assert {d.status for d in _deliveries(db, made.id)} == {"succeeded"}
    deliver_now()
    assert len(receiver.at(path)) == before + 6  # and nothing more, ever


def test_a_hanging_receiver_does_not_delay_other_channels(db, factory, receiver, channels):
    org = factory.org()
    slow, fast = _path("hang"), _path("fast")
    receiver.hang(slow, 8)
    channels.make(org, "webhook", url=receiver.url(slow), events=["call.new"])
    channels.make(org, "webhook", url=receiver.url(fast), events=["call.new"])
    record(db, org, "call.new", {"callId": "cl_first"})
    t0 = time.monotonic()
    pump = threading.Thread(target=deliver_now)
    pump.start()
    assert receiver.wait_for(fast, 1, timeout=4)
    first = receiver.at(fast)[0].at - t0
    # An event arriving while the hanging request is still open is sent by the same running pump.
    time.sleep(0.3)
    record(db, org, "call.new", {"callId": "cl_second"})
    from voiceconsole.services.notifications.fanout import fan_out_all

    fan_out_all()
    t1 = time.monotonic()
    assert len(receiver.wait_for(fast, 2, timeout=4)) == 2
    second = receiver.at(fast)[1].at - t1
    pump.join(timeout=20)
    assert first < 1.5 and second < 1.5, (first, second)
    hung = [d for d in _deliveries(db, channels.made[0][1])]
    assert hung[0].status == "pending" and "Timed out after 5 s" in hung[0].last_error


def test_two_pumps_at_once_send_every_delivery_exactly_once(db, factory, receiver, channels):
    org = factory.org()
    paths = [_path(f"race{i}") for i in range(4)]
    for p in paths:
        channels.make(org, "webhook", url=receiver.url(p), events=["call.new"])
    for i in range(30):
        record(db, org, "call.new", {"callId": f"cl_{i}"})
    from voiceconsole.services.notifications.fanout import fan_out_all
    from voiceconsole.services.notifications.sender import deliver_due

    fan_out_all()
    threads = [threading.Thread(target=deliver_due) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in paths:
        ids = [body_of(r)["data"]["callId"] for r in receiver.at(p)]
        assert sorted(ids) == sorted(f"cl_{i}" for i in range(30))


def test_a_claim_left_by_a_dead_worker_is_released_and_sent(db, factory, receiver, channels):
    org = factory.org()
    path = _path("stale")
    made = channels.make(org, "webhook", url=receiver.url(path), events=["call.new"])
    record(db, org, "call.new", {"callId": "cl_stale"})
    from voiceconsole.services.notifications.fanout import fan_out_all

    fan_out_all()
    (delivery,) = _deliveries(db, made.id)
    delivery.status, delivery.claimed_at = "delivering", utcnow() - timedelta(minutes=3)
    db.add(delivery)
    db.commit()
    deliver_now()
    assert len(receiver.wait_for(path, 1)) == 1
    assert _deliveries(db, made.id)[0].status == "succeeded"


def test_redirects_are_not_followed_and_errors_never_show_the_url(db, factory, receiver, channels):
    org = factory.org()
    path = _path("services/T000/B000/very-secret-token")
    receiver.respond(path, 302)
    made = channels.make(org, "slack", url=receiver.url(path), events=["call.new"])
    record(db, org, "call.new", {"callId": "cl_r"})
    deliver_now()
    (delivery,) = _deliveries(db, made.id)
    assert delivery.last_status_code == 302 and delivery.last_error == "Redirect (302) not followed"
    receiver.stop()
    try:
        delivery.next_attempt_at = utcnow()
        db.add(delivery)
        db.commit()
        deliver_now()
    finally:
        receiver.start()
    items, _ = nd.list_deliveries(db, org=org, channel_id=made.id, actor=SYSTEM)
    errors = [a.error for a in items[0].attempt_log]
    assert errors[1] and "ConnectError" in errors[1]
    assert all("very-secret-token" not in (e or "") for e in errors)
    assert "very-secret-token" not in nc.get_channel(db, org=org, channel_id=made.id, actor=SYSTEM).target


def test_private_targets_are_refused_at_send_time_when_not_allowed(db, factory, receiver, channels, monkeypatch):
    from voiceconsole.settings import get_settings

    org = factory.org()
    path = _path("private")
    made = channels.make(org, "webhook", url=receiver.url(path), events=["call.new"])
    monkeypatch.setenv("VOICECONSOLE_ALLOW_PRIVATE_TARGETS", "0")
    get_settings.cache_clear()
    record(db, org, "call.new", {"callId": "cl_p"})
    deliver_now()
    assert receiver.at(path) == []
    (delivery,) = _deliveries(db, made.id)
    assert "private, loopback or link-local" in delivery.last_error and delivery.status == "pending"


def test_send_test_event_delivers_a_sample_marked_test_to_that_channel_only(db, factory, receiver, channels):
    org = factory.org()
    client = factory.client(org, name="Acme Dental")
    path, other = _path("test"), _path("other")
    made = channels.make(
        org, "webhook", url=receiver.url(path), events=["daily_summary", "call.new"], client=client, summary_hour=6
    )
    channels.make(org, "webhook", url=receiver.url(other), events=["daily_summary", "call.new"])
    event_id = nd.send_test_event(db, org=org, channel_id=made.id, actor=SYSTEM)
    db.commit()
    deliver_now()
    (req,) = receiver.wait_for(path, 1)
    body = body_of(req)
    assert body["id"] == event_id and body["event"] == "daily_summary" and body["data"]["test"] is True
    assert body["data"]["clientId"] == client.public_id and body["data"]["hour"] == 6
    assert verify_hex(made.secret, req)
    assert receiver.at(other) == []
    items, total = nd.list_deliveries(db, org=org, channel_id=made.id, actor=SYSTEM, status="succeeded")
    assert total == 1 and items[0].event_id == event_id and items[0].attempt_log[0].status_code == 200


def test_a_channel_deleted_while_its_delivery_is_in_flight_does_not_break_the_pump(db, factory, channels):
    from voiceconsole.services.notifications import outbox as engine
    from voiceconsole.services.notifications.fanout import fan_out_all

    org = factory.org()
    made = channels.make(org, "webhook", url="http://127.0.0.1:9/gone", events=["call.new"])
    record(db, org, "call.new", {"callId": "cl_gone"})
    fan_out_all()
    claimed, targets, _ = engine.claim(engine.MAX_CLAIMED, {})
    mine = [c for c in claimed if targets[c.channel_id].public_id == made.id]
    assert len(mine) == 1
    nc.delete_channel(db, org=org, channel_id=made.id, actor=SYSTEM)
    db.commit()
    outcomes = [
        engine.Outcome(claimed=c, started_at=utcnow(), finished_at=utcnow(), error="HTTP 500")
        if c in mine
        else engine.Outcome(claimed=c, skipped=True)
        for c in claimed
    ]  # others: unclaimed
    state, paused = engine.record(outcomes, targets)  # no foreign-key error, nothing paused
    assert paused == [] and targets[mine[0].channel_id].id not in state
